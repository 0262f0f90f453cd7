#include "layers/sequential.hpp"

namespace tapenet::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Sequential() {
  for (const auto& m : modules) push_back(m);
}

Sequential::Sequential(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>> modules)
    : Sequential() {
  for (const auto& [name, m] : modules) push_back(name, m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> module) {
  return push_back(std::to_string(layers_.size()), std::move(module));
}

Sequential& Sequential::push_back(const std::string& name, std::shared_ptr<Module> module) {
  register_module(name, module);
  layers_.push_back(std::move(module));
  return *this;
}

const std::shared_ptr<Module>& Sequential::operator[](int64_t i) const {
  const auto n = static_cast<int64_t>(layers_.size());
  if (i < -n || i >= n)
    throw IndexError("Sequential: index " + std::to_string(i) + " is out of range for " + std::to_string(n) +
                     " layers");
  return layers_[i < 0 ? i + n : i];
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& layer : layers_) x = (*layer)(x);
  return x;
}

}  // namespace tapenet::nn
