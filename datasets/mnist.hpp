#pragma once
/// \file MNIST and Fashion-MNIST (same IDX layout): images kept as bytes until a batch is formed.
#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::datasets {

enum class Split { train, test };

/// Where Fashion-MNIST is looked up: $TAPENET_DATA if set, else Debian's dataset-fashion-mnist
/// install directory /usr/share/datasets/fashion-mnist.
std::string default_fashion_mnist_root();

/// One split of an MNIST-format data set: `train-images-idx3-ubyte(.gz)` / `t10k-...` under root.
class MnistDataset {
 public:
  /// Reads the images and labels. Throws IOError naming the missing or bad file (and, for the
  /// default root, the Debian package that provides it); ValueError when counts or sizes disagree.
  MnistDataset(const std::string& root, Split split);

  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }

  /// Images [n, 1, rows, cols] float32 scaled to [0, 1] and labels [n] int64 for `indices`.
  /// Throws IndexError on an index out of range.
  void batch(const std::vector<int64_t>& indices, Tensor& images, Tensor& labels) const;

 private:
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> labels_;
  int64_t rows_ = 0, cols_ = 0;
};

}  // namespace tapenet::datasets
