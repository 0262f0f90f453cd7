#pragma once
/// \file Sequential: children applied in order (PyTorch's nn.Sequential).
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/module.hpp"

namespace tapenet::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  /// Children named "0", "1", ...
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  /// Named children, e.g. {{"conv1", conv}, {"relu1", relu}}.
  Sequential(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>> modules);

  /// Appends a child named after its position. Returns *this.
  Sequential& push_back(std::shared_ptr<Module> module);
  /// Appends a named child (ValueError for an empty, dotted or taken name). Returns *this.
  Sequential& push_back(const std::string& name, std::shared_ptr<Module> module);

  std::size_t size() const { return layers_.size(); }
  /// The i-th child; IndexError when out of range (negative counts from the end).
  const std::shared_ptr<Module>& operator[](int64_t i) const;

  /// Feeds the input through every child in order. An empty Sequential returns the input.
  Tensor forward(const Tensor& input) override;

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace tapenet::nn
