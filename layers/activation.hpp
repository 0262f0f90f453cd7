#pragma once
/// \file Activation layers: stateless wrappers over the activation and softmax ops.
#include "framework/module.hpp"

namespace tapenet::nn {

/// max(x, 0).
struct ReLU : Module {
  ReLU() : Module("ReLU") {}
  Tensor forward(const Tensor& x) override;
};

/// x for x > 0, negative_slope * x otherwise.
struct LeakyReLU : Module {
  explicit LeakyReLU(double negative_slope = 0.01) : Module("LeakyReLU"), negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const double negative_slope;
};

struct Tanh : Module {
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& x) override;
};

struct Sigmoid : Module {
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& x) override;
};

/// LeNet-5's squashing function A * tanh(S * x) with A = 1.7159 and S = 2/3 (LeCun et al. 1998,
/// appendix A): f(±1) ≈ ±1 and the gain is largest there.
struct ScaledTanh : Module {
  explicit ScaledTanh(double amplitude = 1.7159, double slope = 2.0 / 3.0)
      : Module("ScaledTanh"), amplitude(amplitude), slope(slope) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const double amplitude, slope;
};

/// Softmax along `dim`.
struct Softmax : Module {
  explicit Softmax(int64_t dim) : Module("Softmax"), dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const int64_t dim;
};

/// Log-softmax along `dim`.
struct LogSoftmax : Module {
  explicit LogSoftmax(int64_t dim) : Module("LogSoftmax"), dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  const int64_t dim;
};

}  // namespace tapenet::nn
