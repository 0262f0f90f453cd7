#include "datasets/mnist.hpp"

#include <cstdlib>
#include <filesystem>

#include "datasets/idx.hpp"

namespace tapenet::datasets {
namespace {

constexpr const char* kDebianRoot = "/usr/share/datasets/fashion-mnist";

// `name.gz` if present, else `name`; IOError naming both when neither exists.
std::string locate(const std::string& root, const std::string& name) {
  for (const std::string& candidate : {root + "/" + name + ".gz", root + "/" + name})
    if (std::filesystem::exists(candidate)) return candidate;
  std::string msg = "MnistDataset: missing " + root + "/" + name + "(.gz)";
  if (root == kDebianRoot)
    msg += "; install the Debian package dataset-fashion-mnist (scripts/install-deps does)";
  else
    msg += "; pass another root or set TAPENET_DATA";
  throw IOError(msg);
}

}  // namespace

std::string default_fashion_mnist_root() {
  const char* env = std::getenv("TAPENET_DATA");
  return env && *env ? env : kDebianRoot;
}

MnistDataset::MnistDataset(const std::string& root, Split split) {
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const std::string image_path = locate(root, prefix + "-images-idx3-ubyte");
  const std::string label_path = locate(root, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(image_path);
  IdxArray labels = read_idx(label_path);
  if (images.dims.size() != 3) throw IOError("MnistDataset: " + image_path + ": expected 3 dimensions");
  if (labels.dims.size() != 1) throw IOError("MnistDataset: " + label_path + ": expected 1 dimension");
  if (images.dims[0] != labels.dims[0])
    throw IOError("MnistDataset: " + image_path + " holds " + std::to_string(images.dims[0]) + " images but " +
                  label_path + " holds " + std::to_string(labels.dims[0]) + " labels");
  rows_ = images.dims[1];
  cols_ = images.dims[2];
  pixels_ = std::move(images.data);
  labels_ = std::move(labels.data);
}

void MnistDataset::batch(const std::vector<int64_t>& indices, Tensor& images, Tensor& labels) const {
  const auto n = static_cast<int64_t>(indices.size());
  const int64_t plane = rows_ * cols_;
  images = Tensor::empty({n, 1, rows_, cols_}, DType::f32);
  labels = Tensor::empty({n}, DType::i64);
  float* img = images.data<float>();
  int64_t* lab = labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = indices[i];
    if (k < 0 || k >= size())
      throw IndexError("MnistDataset::batch: index " + std::to_string(k) + " out of range for " +
                       std::to_string(size()) + " samples");
    const uint8_t* src = pixels_.data() + k * plane;
    for (int64_t p = 0; p < plane; ++p) img[i * plane + p] = static_cast<float>(src[p]) * (1.0f / 255.0f);
    lab[i] = labels_[k];
  }
}

}  // namespace tapenet::datasets
