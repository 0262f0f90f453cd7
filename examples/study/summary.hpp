#pragma once
/// \file The study's statistics: per run (final accuracies, gap, time to the target accuracy) and
/// per variant over seeds (mean ± standard deviation), and summary.json.
#include <cstdint>
#include <string>
#include <vector>

#include "examples/study/records.hpp"

namespace tapenet::study {

/// Mean and sample standard deviation (n - 1 in the denominator; 0 for one value) of the values
/// that are not NaN, and their count. NaN mean and std when there are none.
struct Stat {
  double mean = 0, std = 0;
  int64_t n = 0;
};
Stat mean_std(const std::vector<double>& values);

/// What one finished run achieved.
struct RunOutcome {
  /// After the last epoch; train_accuracy is EpochRecord::gap_train_accuracy().
  double train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0;
  double gap = 0;                 ///< train_accuracy - test_accuracy after the last epoch
  double best_test_accuracy = 0;  ///< over the epochs
  double epochs_to_target = 0;    ///< first epoch with test accuracy >= the target; NaN if never
  double seconds_to_target = 0;   ///< training seconds up to that epoch; NaN if never
  double seconds_per_epoch = 0;   ///< mean wall seconds of an epoch (training + evaluation)
  int64_t peak_rss_bytes = 0;
};
/// Throws ValueError when the record has no epochs.
RunOutcome outcome(const RunRecord& record, double target_accuracy);

/// One variant of one network at one training-set size and rate, over its seeds.
struct GroupSummary {
  std::string network, variant;
  int64_t train_size = 0;
  double lr = 0;
  double target_accuracy = 0;  ///< the network's
  bool selected = true;  ///< the best rate of its (network, variant, size) by mean test accuracy
  int64_t parameters = 0, swapped_parameters = 0, macs = 0;
  std::vector<uint64_t> seeds;
  Stat train_accuracy, test_accuracy, gap, train_loss, test_loss, best_test_accuracy;
  Stat epochs_to_target, seconds_to_target, seconds_per_epoch;
  int64_t reached_target = 0;  ///< seeds that reached the target accuracy
  int64_t peak_rss_bytes = 0;  ///< the largest over the seeds
};

/// Groups finished runs by (network, variant, train_size, lr) in the order of first appearance and
/// marks, for each (network, variant, train_size), the rate with the best mean test accuracy.
/// Targets come from the config's network of each run (ValueError for a network not in it).
std::vector<GroupSummary> summarize(const std::vector<RunRecord>& runs, const StudyConfig& config);

Json to_json(const Stat& stat);
Json to_json(const GroupSummary& group);

}  // namespace tapenet::study
