#include "datasets/tensor_dataset.hpp"

#include <algorithm>
#include <numeric>

#include "framework/errors.hpp"
#include "framework/ops/shape_ops.hpp"
#include "framework/random.hpp"

namespace tapenet::datasets {
namespace {

std::vector<int64_t> checked_labels(const Tensor& labels, int64_t n) {
  if (labels.dtype() != DType::i64 || labels.dim() != 1)
    throw ValueError(std::string("TensorDataset: labels must be int64 [n], got ") + dtype_name(labels.dtype()) + " " +
                     shape_str(labels.shape()));
  if (labels.size(0) != n)
    throw ValueError("TensorDataset: " + std::to_string(n) + " images but " + std::to_string(labels.size(0)) +
                     " labels");
  return {labels.data<int64_t>(), labels.data<int64_t>() + n};
}

}  // namespace

TensorDataset::TensorDataset(const Tensor& images, const Tensor& labels) {
  if (images.dim() != 4 || !is_floating(images.dtype()))
    throw ValueError(std::string("TensorDataset: images must be float32 or float64 [n, C, H, W], got ") +
                     dtype_name(images.dtype()) + " " + shape_str(images.shape()));
  images_ = images.dtype() == DType::f32 ? images.detach() : to_dtype(images.detach(), DType::f32);
  shape_ = {images.size(1), images.size(2), images.size(3)};
  labels_ = checked_labels(labels, images.size(0));
}

TensorDataset::TensorDataset(std::vector<uint8_t> pixels, ImageShape shape, const Tensor& labels)
    : pixels_(std::move(pixels)), shape_(shape) {
  if (shape.channels <= 0 || shape.height <= 0 || shape.width <= 0)
    throw ValueError("TensorDataset: invalid image shape " + to_string(shape));
  if (pixels_.size() % static_cast<std::size_t>(shape.numel()) != 0)
    throw ValueError("TensorDataset: " + std::to_string(pixels_.size()) +
                     " bytes are not a whole number of images of shape " + to_string(shape));
  labels_ = checked_labels(labels, static_cast<int64_t>(pixels_.size()) / shape.numel());
}

int64_t TensorDataset::read(int64_t index, float* out) const {
  const int64_t plane = shape_.numel();
  if (images_.defined())
    std::copy_n(images_.data<float>() + index * plane, plane, out);
  else
    bytes_to_unit_floats(pixels_.data() + index * plane, plane, out);
  return labels_[static_cast<std::size_t>(index)];
}

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  if (!dataset_) throw ValueError("Subset: null data set");
  const int64_t n = dataset_->size();
  for (int64_t k : indices_)
    if (k < 0 || k >= n)
      throw IndexError("Subset: index " + std::to_string(k) + " out of range for a data set of " + std::to_string(n) +
                       " samples");
}

std::shared_ptr<Subset> Subset::take(std::shared_ptr<const Dataset> dataset, int64_t n, std::optional<uint64_t> seed) {
  if (!dataset) throw ValueError("Subset: null data set");
  if (n < 0 || n > dataset->size())
    throw ValueError("Subset: cannot take " + std::to_string(n) + " samples of a data set of " +
                     std::to_string(dataset->size()));
  std::vector<int64_t> indices;
  if (seed) {
    indices = random_permutation(dataset->size(), *seed);
    indices.resize(static_cast<std::size_t>(n));
  } else {
    indices.resize(static_cast<std::size_t>(n));
    std::iota(indices.begin(), indices.end(), int64_t{0});
  }
  return std::make_shared<Subset>(std::move(dataset), std::move(indices));
}

std::vector<int64_t> random_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), int64_t{0});
  Generator gen(seed);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(p[static_cast<std::size_t>(i)], p[gen.below(static_cast<uint64_t>(i + 1))]);
  return p;
}

}  // namespace tapenet::datasets
