#include "datasets/dataset.hpp"

#include <algorithm>
#include <vector>

#include "datasets/transforms.hpp"
#include "framework/errors.hpp"
#include "framework/parallel.hpp"

namespace tapenet::datasets {

std::string to_string(const ImageShape& shape) { return shape_str({shape.channels, shape.height, shape.width}); }

Batch Dataset::get_batch(const std::vector<int64_t>& indices, const Transform* transform, const SampleKey& key) const {
  const int64_t total = size();
  for (int64_t k : indices)
    if (k < 0 || k >= total)
      throw IndexError("Dataset::get_batch: index " + std::to_string(k) + " out of range for a data set of " +
                       std::to_string(total) + " samples");
  const ImageShape in_shape = image_shape();
  const ImageShape out_shape = transform ? transform->output_shape(in_shape) : in_shape;
  const auto n = static_cast<int64_t>(indices.size());
  Batch batch{Tensor::empty({n, out_shape.channels, out_shape.height, out_shape.width}, DType::f32),
              Tensor::empty({n}, DType::i64)};
  float* images = batch.images.data<float>();
  int64_t* labels = batch.labels.data<int64_t>();
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, in_shape.numel()));
  parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(transform ? static_cast<std::size_t>(in_shape.numel()) : 0);
    for (int64_t i = begin; i < end; ++i) {
      float* dst = images + i * out_shape.numel();
      if (!transform) {
        labels[i] = read(indices[i], dst);
        continue;
      }
      labels[i] = read(indices[i], scratch.data());
      Generator gen(sample_seed(key.seed, key.epoch, key.position + i));
      transform->apply(scratch.data(), in_shape, dst, gen);
    }
  });
  return batch;
}

ImageDataset::ImageDataset(std::vector<uint8_t> pixels, ImageShape shape, std::vector<int64_t> labels)
    : pixels_(std::move(pixels)), shape_(shape), labels_(std::move(labels)) {
  if (shape.channels <= 0 || shape.height <= 0 || shape.width <= 0)
    throw ValueError("ImageDataset: invalid image shape " + to_string(shape));
  if (pixels_.size() != labels_.size() * static_cast<std::size_t>(shape.numel()))
    throw ValueError("ImageDataset: " + std::to_string(pixels_.size()) + " pixel bytes do not hold " +
                     std::to_string(labels_.size()) + " images of shape " + to_string(shape));
  for (int64_t label : labels_)
    if (label < 0) throw ValueError("ImageDataset: negative label " + std::to_string(label));
}

void bytes_to_unit_floats(const uint8_t* src, int64_t n, float* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
}

int64_t ImageDataset::read(int64_t index, float* out) const {
  const int64_t plane = shape_.numel();
  bytes_to_unit_floats(pixels_.data() + index * plane, plane, out);
  return labels_[static_cast<std::size_t>(index)];
}

}  // namespace tapenet::datasets
