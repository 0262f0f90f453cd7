#pragma once
/// \file Per-sample image transforms (torchvision's names), applied while a batch is assembled.
///
/// A transform maps one float CHW image to another. Random transforms draw only from the
/// generator they are handed, which Dataset::get_batch seeds per sample with sample_seed(seed,
/// epoch, position): the result is a pure function of those three numbers, whatever the threads.
/// Transforms are immutable and thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "framework/random.hpp"

namespace tapenet::datasets {

/// The seed of the generator of the sample at `position` of `epoch` (a SplitMix64 hash).
uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t position);

class Transform {
 public:
  virtual ~Transform() = default;
  /// The shape of the output for an input of shape `in`; throws ValueError when `in` does not fit.
  virtual ImageShape output_shape(const ImageShape& in) const = 0;
  /// Writes the transformed image (output_shape(in).numel() floats) to `out`; `in` and `out`
  /// do not overlap. Random transforms draw from `gen` only.
  virtual void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const = 0;
  /// "Normalize(mean=[0.5], std=[0.25])", as torchvision prints it.
  virtual std::string repr() const = 0;
};

using TransformPtr = std::shared_ptr<const Transform>;

/// (x - mean[c]) / std[c] per channel; one value applies to every channel. Throws ValueError on
/// empty or differently sized lists or a std <= 0, and (output_shape) on a channel-count mismatch.
class Normalize : public Transform {
 public:
  Normalize(std::vector<float> mean, std::vector<float> std);
  ImageShape output_shape(const ImageShape& in) const override;
  void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const override;
  std::string repr() const override;

 private:
  std::vector<float> mean_, std_;
};

/// Zero padding of `padding` pixels on every side: [C, H, W] -> [C, H + 2p, W + 2p].
/// Throws ValueError on a negative padding.
class Pad : public Transform {
 public:
  explicit Pad(int64_t padding);
  ImageShape output_shape(const ImageShape& in) const override;
  void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const override;
  std::string repr() const override;

 private:
  int64_t padding_;
};

/// Zero-pads by `padding`, then cuts a `size` x `size` window at a uniformly random offset (top
/// first, then left, each drawn with Generator::below). Throws ValueError on size <= 0, a negative
/// padding, or (output_shape) a window larger than the padded image.
class RandomCrop : public Transform {
 public:
  explicit RandomCrop(int64_t size, int64_t padding = 0);
  ImageShape output_shape(const ImageShape& in) const override;
  void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const override;
  std::string repr() const override;

 private:
  int64_t size_, padding_;
};

/// Mirrors the image left-right with probability p (one uniform draw per sample, always made).
/// Throws ValueError unless 0 <= p <= 1.
class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  ImageShape output_shape(const ImageShape& in) const override { return in; }
  void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const override;
  std::string repr() const override;

 private:
  double p_;
};

/// The transforms in order, sharing the sample's generator. Throws ValueError on a null transform.
class Compose : public Transform {
 public:
  explicit Compose(std::vector<TransformPtr> transforms);
  ImageShape output_shape(const ImageShape& in) const override;
  void apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const override;
  std::string repr() const override;
  const std::vector<TransformPtr>& transforms() const { return transforms_; }

 private:
  std::vector<TransformPtr> transforms_;
};

}  // namespace tapenet::datasets
