#pragma once
/// \file Flatten and Identity.
#include "framework/module.hpp"

namespace tapenet::nn {

/// Flattens dims start_dim..end_dim into one (default: everything but the batch dim).
struct Flatten : Module {
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : Module("Flatten"), start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const int64_t start_dim, end_dim;
};

/// Returns its input (a placeholder where a variant has no layer).
struct Identity : Module {
  Identity() : Module("Identity") {}
  Tensor forward(const Tensor& x) override { return x; }
};

}  // namespace tapenet::nn
