#include "datasets/mnist.hpp"

#include <cstdlib>
#include <filesystem>

#include "datasets/idx.hpp"
#include "framework/errors.hpp"

namespace tapenet::datasets {
namespace {

constexpr const char* kDebianRoot = "/usr/share/datasets/fashion-mnist";

// `name.gz` if present, else `name`; IOError naming the path and the hint when neither exists.
std::string locate(const std::string& dataset, const std::string& root, const std::string& name,
                   const std::string& hint) {
  const std::string base = (std::filesystem::path(root) / name).string();
  for (const std::string& candidate : {base + ".gz", base})
    if (std::filesystem::exists(candidate)) return candidate;
  std::string msg = dataset;
  msg.append(": missing ").append(base).append("(.gz); ").append(hint);
  throw IOError(msg);
}

ImageDataset load(const std::string& name, const std::string& root, bool train, const std::string& hint) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string image_path = locate(name, root, prefix + "-images-idx3-ubyte", hint);
  const std::string label_path = locate(name, root, prefix + "-labels-idx1-ubyte", hint);
  IdxArray images = read_idx(image_path);
  IdxArray labels = read_idx(label_path);
  if (images.dims.size() != 3)
    throw IOError(name + ": " + image_path + ": expected 3 dimensions (n, rows, cols), got " +
                  std::to_string(images.dims.size()));
  if (labels.dims.size() != 1)
    throw IOError(name + ": " + label_path + ": expected 1 dimension, got " + std::to_string(labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw IOError(name + ": " + image_path + " holds " + std::to_string(images.dims[0]) + " images but " + label_path +
                  " holds " + std::to_string(labels.dims[0]) + " labels");
  return ImageDataset(std::move(images.data), {1, images.dims[1], images.dims[2]},
                      std::vector<int64_t>(labels.data.begin(), labels.data.end()));
}

}  // namespace

std::string default_fashion_mnist_root() {
  const char* env = std::getenv("TAPENET_DATA");
  return env && *env ? env : kDebianRoot;
}

MnistFormat::MnistFormat(const std::string& name, const std::string& root, bool train, const std::string& missing_hint)
    : ImageDataset(load(name, root, train, missing_hint)) {}

MNIST::MNIST(const std::string& root, bool train)
    : MnistFormat("MNIST", root, train,
                  "there is no Debian package for MNIST: download the IDX files and pass their directory as root") {}

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : MnistFormat("FashionMNIST", root, train,
                  std::string("install the Debian package dataset-fashion-mnist (it provides ") + kDebianRoot +
                      "), or pass root / set TAPENET_DATA to a directory holding the files") {}

}  // namespace tapenet::datasets
