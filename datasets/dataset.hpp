#pragma once
/// \file The Dataset interface (indexable images + labels, assembled into batches) and
/// ImageDataset, the byte-backed implementation behind MNIST, Fashion-MNIST and CIFAR-10.
#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::datasets {

class Transform;

/// Channels, height and width of one image.
struct ImageShape {
  int64_t channels = 0, height = 0, width = 0;
  int64_t numel() const { return channels * height * width; }
  bool operator==(const ImageShape&) const = default;
};

/// "[C, H, W]".
std::string to_string(const ImageShape& shape);

/// A mini-batch: images float32 [n, C, H, W] and labels int64 [n]. Binds as `auto& [images, labels]`.
struct Batch {
  Tensor images;
  Tensor labels;
};

/// Where the per-sample randomness of transforms comes from: sample i of a batch draws from a
/// generator seeded by a pure function of (seed, epoch, position + i), so results do not depend on
/// thread scheduling or thread count.
struct SampleKey {
  uint64_t seed = 0;
  int64_t epoch = 0;
  int64_t position = 0;  ///< position in the epoch's order of the batch's first sample
};

/// A finite, indexable set of labelled images. Implementations are immutable after construction,
/// so `read` and `get_batch` may run concurrently from any number of threads.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Number of samples.
  virtual int64_t size() const = 0;
  /// The shape of every image.
  virtual ImageShape image_shape() const = 0;
  /// Writes image `index` (0 <= index < size(), checked by the caller) as image_shape().numel()
  /// floats to `out` and returns its label. Thread-safe.
  virtual int64_t read(int64_t index, float* out) const = 0;

  /// Images float32 [n, C', H', W'] and labels int64 [n] for `indices`, each image passed through
  /// `transform` (when given; C', H', W' are its output shape) with the randomness of `key`.
  /// Samples are assembled in parallel (tapenet::parallel_for). Throws IndexError on an index out of
  /// range (negative indices are not wrapped), ValueError when the transform does not fit the images.
  Batch get_batch(const std::vector<int64_t>& indices, const Transform* transform = nullptr,
                  const SampleKey& key = {}) const;
};

/// dst[i] = src[i] / 255 for i < n (torchvision's ToTensor scaling of 8-bit pixels to [0, 1]).
void bytes_to_unit_floats(const uint8_t* src, int64_t n, float* dst);

/// Images kept as bytes [n, C, H, W] (compact until a batch is formed, then scaled by 1/255 to
/// float32 in [0, 1], as torchvision's ToTensor) with int64 labels.
class ImageDataset : public Dataset {
 public:
  /// Throws ValueError when pixels.size() != labels.size() * shape.numel() or a label is negative.
  ImageDataset(std::vector<uint8_t> pixels, ImageShape shape, std::vector<int64_t> labels);
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  ImageShape image_shape() const override { return shape_; }
  int64_t read(int64_t index, float* out) const override;
  /// The raw bytes of every image, [size(), C, H, W] row-major.
  const std::vector<uint8_t>& pixels() const { return pixels_; }
  const std::vector<int64_t>& labels() const { return labels_; }

 private:
  std::vector<uint8_t> pixels_;
  ImageShape shape_;
  std::vector<int64_t> labels_;
};

}  // namespace tapenet::datasets
