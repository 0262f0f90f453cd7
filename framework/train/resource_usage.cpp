#include "framework/train/resource_usage.hpp"

#include <sys/resource.h>

namespace tapenet::train {
namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); }

}  // namespace

ResourceUsage resource_usage() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return {};
  // Linux reports ru_maxrss in kilobytes.
  return {static_cast<int64_t>(u.ru_maxrss) * 1024, static_cast<int64_t>(u.ru_minflt),
          static_cast<int64_t>(u.ru_majflt), seconds(u.ru_utime), seconds(u.ru_stime)};
}

ResourceUsage operator-(const ResourceUsage& after, const ResourceUsage& before) {
  return {after.peak_rss_bytes, after.minor_faults - before.minor_faults, after.major_faults - before.major_faults,
          after.user_seconds - before.user_seconds, after.system_seconds - before.system_seconds};
}

}  // namespace tapenet::train
