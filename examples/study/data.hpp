#pragma once
/// \file The study's data: the configured data set's splits, the seeded test subset and the
/// per-data-set normalisation.
#include <cstdint>
#include <memory>

#include "datasets/dataset.hpp"
#include "datasets/transforms.hpp"
#include "examples/study/config.hpp"

namespace tapenet::study {

/// The training split (whole), the test images evaluated and the normalisation of both.
struct StudyData {
  std::shared_ptr<const datasets::Dataset> train;
  std::shared_ptr<const datasets::Dataset> test;
  datasets::TransformPtr normalize;
};

/// Loads config.dataset from config.data (Fashion-MNIST: its default root when empty). With
/// test_size > 0 the test split is cut to that many images drawn with seed 0 (the same images for
/// every run). Normalisation: the training split's pixel mean / std (Fashion-MNIST 0.2860 / 0.3530,
/// MNIST 0.1307 / 0.3081, CIFAR-10 per channel). Throws IOError naming a missing or bad file,
/// ValueError naming "test_size" when it exceeds the test split.
StudyData load_study_data(const StudyConfig& config);

/// The `n` training images of a run with `seed` (the whole split when n is its size).
std::shared_ptr<const datasets::Dataset> training_subset(const StudyData& data, int64_t n, uint64_t seed);

}  // namespace tapenet::study
