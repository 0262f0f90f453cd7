#pragma once
/// \file Helpers of the study tests: a tiny learnable MNIST-format data set written to a scratch
/// directory, and a small study configuration over it.
#include <cstdint>
#include <string>

#include "datasets/idx.hpp"
#include "examples/study/config.hpp"
#include "test_datasets_util.hpp"

namespace tapenet::testing {

/// n 28x28 images whose label (i % 10) is a bright horizontal band at rows 2*label..2*label+3,
/// over a faint pattern that varies with i.
inline void write_band_images(const TempDir& dir, const std::string& prefix, int64_t n) {
  datasets::IdxArray images{{n, 28, 28}, {}}, labels{{n}, {}};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = i % 10;
    labels.data.push_back(static_cast<uint8_t>(label));
    for (int64_t r = 0; r < 28; ++r)
      for (int64_t c = 0; c < 28; ++c)
        images.data.push_back(static_cast<uint8_t>(r >= 2 * label && r < 2 * label + 4 ? 200 : (i * 7 + r * 3 + c) % 40));
  }
  datasets::write_idx(dir.file(prefix + "-images-idx3-ubyte"), images, false);
  datasets::write_idx(dir.file(prefix + "-labels-idx1-ubyte"), labels, false);
}

/// 64 training and 32 test images of write_band_images in `dir`.
inline void write_tiny_mnist(const TempDir& dir) {
  write_band_images(dir, "train", 64);
  write_band_images(dir, "t10k", 32);
}

/// LeNet-5 dense vs shared_sum on the tiny data in `data_dir`: 2 epochs, seed 1, batch 16.
inline study::StudyConfig tiny_study_config(const std::string& data_dir) {
  study::Json json = {{"name", "tiny"},
                      {"dataset", "mnist"},
                      {"data", data_dir},
                      {"seeds", {1}},
                      {"variants", {"dense", "shared_sum"}},
                      {"batch_size", 16},
                      {"train_eval_size", 16},
                      {"target_accuracy", 0.2},
                      {"networks", {{"lenet5", {{"epochs", 2}, {"train_sizes", {"full"}}, {"lr", 0.05}}}}}};
  return study::config_from_json(json);
}

}  // namespace tapenet::testing
