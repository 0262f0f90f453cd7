#pragma once
/// \file Differentiable elementwise math: exp, log, sqrt, abs, clamp.
/// Each returns a tensor of x's shape and dtype; an int64 tensor throws ValueError naming the op.
/// Values outside a function's domain follow IEEE rules (log(-1) is NaN, log(0) is -inf).
#include <optional>

#include "framework/tensor.hpp"

namespace tapenet {

/// e^x; d/dx = e^x.
Tensor exp(const Tensor& x);
/// Natural logarithm; d/dx = 1 / x.
Tensor log(const Tensor& x);
/// Square root; d/dx = 1 / (2 sqrt(x)).
Tensor sqrt(const Tensor& x);
/// |x|; d/dx = sign(x), 0 at 0 (as in PyTorch).
Tensor abs(const Tensor& x);
/// x limited to [min, max] (either bound may be absent). As in PyTorch: a NaN stays NaN, min > max
/// gives max everywhere, and the gradient passes only where min <= x <= max (bounds inclusive).
/// Throws ValueError when both bounds are absent.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

}  // namespace tapenet
