#include "examples/study/data.hpp"

#include "datasets/cifar.hpp"
#include "datasets/mnist.hpp"
#include "datasets/tensor_dataset.hpp"
#include "examples/common/normalization.hpp"
#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

std::shared_ptr<const datasets::Dataset> split(const StudyConfig& config, bool train) {
  if (config.dataset == "mnist") return std::make_shared<datasets::MNIST>(config.data, train);
  if (config.dataset == "cifar10") return std::make_shared<datasets::CIFAR10>(config.data, train);
  return std::make_shared<datasets::FashionMNIST>(
      config.data.empty() ? datasets::default_fashion_mnist_root() : config.data, train);
}

}  // namespace

StudyData load_study_data(const StudyConfig& config) {
  StudyData data{split(config, true), split(config, false), examples::normalization(config.dataset)};
  if (config.test_size > data.test->size())
    throw ValueError("study config: 'test_size' is " + std::to_string(config.test_size) + ", more than the " +
                     std::to_string(data.test->size()) + " images of the test split");
  if (config.test_size > 0) data.test = datasets::Subset::take(data.test, config.test_size, 0);
  return data;
}

std::shared_ptr<const datasets::Dataset> training_subset(const StudyData& data, int64_t n, uint64_t seed) {
  if (n == data.train->size()) return data.train;
  return datasets::Subset::take(data.train, n, seed);
}

}  // namespace tapenet::study
