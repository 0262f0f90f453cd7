#pragma once
/// \file In-memory data sets: TensorDataset (images given as a tensor or as bytes) and Subset.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "datasets/dataset.hpp"

namespace tapenet::datasets {

/// Images and labels already in memory (PyTorch's TensorDataset, restricted to image data).
class TensorDataset : public Dataset {
 public:
  /// `images` float32 or float64 [n, C, H, W] (used as is; float64 is converted once to float32)
  /// and `labels` int64 [n]. Throws ValueError on other ranks, dtypes, or counts that differ.
  TensorDataset(const Tensor& images, const Tensor& labels);
  /// `pixels` bytes [n, C, H, W] row-major, kept compact and scaled by 1/255 when a batch is
  /// formed (like ImageDataset), and `labels` int64 [n]. Throws ValueError on a size mismatch.
  TensorDataset(std::vector<uint8_t> pixels, ImageShape shape, const Tensor& labels);

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  ImageShape image_shape() const override { return shape_; }
  int64_t read(int64_t index, float* out) const override;

 private:
  Tensor images_;                ///< float32 [n, C, H, W], undefined when the data are bytes
  std::vector<uint8_t> pixels_;  ///< [n, C, H, W] when the data are bytes
  ImageShape shape_;
  std::vector<int64_t> labels_;
};

/// A view of some samples of another data set, in a given order (PyTorch's Subset).
class Subset : public Dataset {
 public:
  /// Throws ValueError on a null data set, IndexError on an index outside [0, dataset->size()).
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);
  /// The first `n` samples, or, with a seed, `n` distinct samples drawn at random (a seeded
  /// permutation's first n; the same seed gives the same subset on every machine).
  /// Throws ValueError unless 0 <= n <= dataset->size().
  static std::shared_ptr<Subset> take(std::shared_ptr<const Dataset> dataset, int64_t n,
                                      std::optional<uint64_t> seed = std::nullopt);

  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  ImageShape image_shape() const override { return dataset_->image_shape(); }
  int64_t read(int64_t index, float* out) const override {
    return dataset_->read(indices_[static_cast<std::size_t>(index)], out);
  }
  const std::vector<int64_t>& indices() const { return indices_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

/// A permutation of [0, n) drawn with a Generator seeded by `seed` (Fisher-Yates with
/// Generator::below, so it is the same on every platform and standard library).
std::vector<int64_t> random_permutation(int64_t n, uint64_t seed);

}  // namespace tapenet::datasets
