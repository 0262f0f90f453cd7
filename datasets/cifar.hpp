#pragma once
/// \file CIFAR-10, binary version: 32x32 RGB images, labels 0-9.
#include <string>

#include "datasets/dataset.hpp"

namespace tapenet::datasets {

/// One split of CIFAR-10's binary batches under `root` (or `root/cifar-10-batches-bin`):
/// data_batch_1.bin .. data_batch_5.bin (train) or test_batch.bin (test). Each file is a sequence
/// of records of 1 label byte + 3072 pixel bytes (3 planes of 32x32, R, G, B); the official files
/// hold 10000 records each. Images [3, 32, 32] kept as bytes.
class CIFAR10 : public ImageDataset {
 public:
  /// Throws IOError naming the file when it is missing (with where to get it), empty, not a whole
  /// number of records, or holds a label above 9.
  explicit CIFAR10(const std::string& root, bool train = true);
};

}  // namespace tapenet::datasets
