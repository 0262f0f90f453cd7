#pragma once
/// \file MNIST and Fashion-MNIST (the same IDX layout): 28x28 grey images, labels 0-9.
#include <string>

#include "datasets/dataset.hpp"

namespace tapenet::datasets {

/// Where Fashion-MNIST is looked up by default: $TAPENET_DATA if set and non-empty, else
/// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist package).
std::string default_fashion_mnist_root();

/// One split of an MNIST-format data set under `root`: `train-images-idx3-ubyte` and
/// `train-labels-idx1-ubyte` (train) or `t10k-...` (test), each gzipped (`.gz`) or raw.
/// Images [1, rows, cols] kept as bytes.
class MnistFormat : public ImageDataset {
 protected:
  /// Throws IOError naming the missing file followed by `missing_hint`, or naming a bad file
  /// (wrong rank, image and label counts that differ; IDX errors from read_idx).
  MnistFormat(const std::string& name, const std::string& root, bool train, const std::string& missing_hint);
};

/// LeCun's MNIST digits. There is no Debian package for it here: download the four IDX files and
/// pass their directory. Throws IOError (see MnistFormat).
class MNIST : public MnistFormat {
 public:
  explicit MNIST(const std::string& root, bool train = true);
};

/// Zalando's Fashion-MNIST (60000 train, 10000 test images). A missing file is an IOError naming the
/// path and the Debian package dataset-fashion-mnist.
class FashionMNIST : public MnistFormat {
 public:
  explicit FashionMNIST(const std::string& root = default_fashion_mnist_root(), bool train = true);
};

}  // namespace tapenet::datasets
