#pragma once
/// \file Differentiable activation functions: relu, leaky_relu, sigmoid, tanh.
/// Each returns a tensor of x's shape and dtype; an int64 tensor throws ValueError naming the op.
#include "framework/tensor.hpp"

namespace tapenet {

/// max(x, 0) (NaN propagates); the gradient is 1 where the output is positive, 0 elsewhere (0 at x = 0).
Tensor relu(const Tensor& x);
/// x where x > 0, negative_slope * x elsewhere; the gradient is 1 or negative_slope accordingly.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
/// 1 / (1 + e^-x), computed without overflow for large |x|; d/dx = y (1 - y).
Tensor sigmoid(const Tensor& x);
/// Hyperbolic tangent; d/dx = 1 - y^2.
Tensor tanh(const Tensor& x);

}  // namespace tapenet
