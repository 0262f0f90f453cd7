#pragma once
/// \file The whole study's progress: elapsed time and an ETA from the measured cost per training
/// image of the epochs finished so far (per network and variant, since they differ tenfold; a
/// variant not measured yet is costed by its multiply-adds at the rate measured so far).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "examples/study/plan.hpp"
#include "framework/train/progress.hpp"

namespace tapenet::study {

/// Durations print as the progress bar prints them ("m:ss" / "h:mm:ss").
using train::format_duration;

class StudyEta {
 public:
  /// `runs`: every run of the plan; `epochs_done[i]`: epochs of runs[i] already finished (resumed);
  /// `macs[i]`: multiply-adds per image of runs[i]'s network (> 0). Starts the clock.
  StudyEta(std::vector<RunSpec> runs, std::vector<int> epochs_done, std::vector<int64_t> macs);

  /// Records that run `index` finished one more epoch, which took `seconds`.
  void epoch_done(std::size_t index, double seconds);
  /// Seconds since construction.
  double elapsed() const;
  /// Estimated seconds left: each remaining epoch costs its train_size times the measured seconds
  /// per image of its (network, variant), or, before that is measured, times its multiply-adds
  /// times the seconds per image and multiply-add of all epochs measured. NaN before the first.
  double remaining() const;
  /// "study: 12/48 runs done, elapsed 3:05, eta 9:41" (h:mm:ss past an hour; "eta ?" before a measurement).
  std::string line() const;

 private:
  struct Rate {
    double seconds = 0;
    double images = 0;
  };
  std::vector<RunSpec> runs_;
  std::vector<int> epochs_done_;
  std::vector<int64_t> macs_;
  std::map<std::pair<std::string, std::string>, Rate> by_variant_;
  Rate overall_;  ///< images weighted by their multiply-adds
  std::chrono::steady_clock::time_point start_;
};


}  // namespace tapenet::study
