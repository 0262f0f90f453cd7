#pragma once
/// \file The study's runs: the configuration expanded into one run per network, variant,
/// training-set size, learning rate and seed, with the combinations that cannot be built set aside.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "examples/study/config.hpp"

namespace tapenet::study {

/// One training run.
struct RunSpec {
  std::string id;        ///< "lenet5-shared_max-n5000-s1" (+ "-lr0.05" when the rate is swept)
  std::string network;   ///< "lenet5" or "allconv"
  std::string variant;   ///< a study variant name
  int64_t train_size = 0;  ///< images actually trained on (the full split's size when configured as full)
  uint64_t seed = 0;
  double lr = 0;
  int epochs = 0;
  bool operator==(const RunSpec&) const = default;
};

/// A (network, variant) pair the study leaves out, and why.
struct SkippedCombination {
  std::string network;
  std::string variant;
  std::string reason;
};

/// The runs in execution order (network, training-set size, variant, rate, seed) and the skipped pairs.
struct StudyPlan {
  std::vector<RunSpec> runs;
  std::vector<SkippedCombination> skipped;
  std::vector<int64_t> macs;  ///< multiply-adds per image of each run's network, as runs
};

/// The run id: network-variant-n<size>-s<seed>, with "-lr<rate>" appended when `swept`.
std::string run_id(const std::string& network, const std::string& variant, int64_t train_size, uint64_t seed,
                   double lr, bool swept);

/// Expands `config` for images of `shape` and a training split of `train_split_size` images. A
/// (network, variant) pair is skipped when build_network rejects it (the reason is its message);
/// the others are measured for StudyPlan::macs.
/// The learning rate of a run is the network's lr_override for the variant, else each rate of
/// lr_sweep, else lr. Throws ValueError naming "train_sizes" when a size exceeds the split.
StudyPlan plan_study(const StudyConfig& config, const datasets::ImageShape& shape, int64_t train_split_size);

}  // namespace tapenet::study
