#pragma once
/// \file The fully-connected map y = x W^T + b (PyTorch's F.linear).
#include "framework/tensor.hpp"

namespace tapenet {

/// input [*, in], weight [out, in], bias [out] or undefined -> [*, out]. Backward:
/// gx += gy W, gW += gy^T x, gb += sum of gy over rows. Throws ValueError naming "linear" and the
/// shapes on a mismatch (or a 0-d input), or on mixed dtypes.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace tapenet
