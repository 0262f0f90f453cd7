#pragma once
/// \file What the process has used so far: peak resident memory, page faults and CPU time, read
/// from getrusage(2). Training programs report the difference over an epoch.
#include <cstdint>

namespace tapenet::train {

struct ResourceUsage {
  int64_t peak_rss_bytes = 0;  ///< the largest resident set size so far (ru_maxrss)
  int64_t minor_faults = 0;    ///< page faults served without I/O: fresh pages from the system allocator
  int64_t major_faults = 0;    ///< page faults that needed I/O
  double user_seconds = 0;     ///< CPU time in user space, all threads
  double system_seconds = 0;   ///< CPU time in the kernel, all threads
};

/// The calling process's usage so far (all threads). Never throws; zeros if getrusage fails.
ResourceUsage resource_usage();

/// after - before for the counters and times; the peak RSS of `after`.
ResourceUsage operator-(const ResourceUsage& after, const ResourceUsage& before);

}  // namespace tapenet::train
