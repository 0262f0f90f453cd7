#pragma once
/// \file Differentiable 2-D convolution (dense, grouped, depthwise) with PyTorch's F.conv2d semantics.
#include <array>
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet {

/// Cross-correlation of input [N, C_in, H, W] with weight [C_out, C_in / groups, kh, kw], plus
/// bias [C_out] when defined: output [N, C_out, H_out, W_out] with
/// H_out = (H + 2 padding[0] - dilation[0] (kh - 1) - 1) / stride[0] + 1 (W_out likewise).
/// Output channel o of group g = o / (C_out / groups) reads input channels
/// [g C_in / groups, (g + 1) C_in / groups). float32 or float64, all operands of one dtype.
/// Backward: gx += col2im(W_g^T gy_g), gW_g += gy_g cols_g^T, gb += sum of gy over N, H, W.
/// Computed by im2col under TBB and one GEMM per group from the calling thread, or by direct loops
/// when each output channel reads one input channel (depthwise); bit-identical for any thread count.
/// Not for use inside a parallel_for task.
/// Throws ValueError naming "conv2d" and the shapes when input or weight is not 4-d, bias is not
/// [C_out], C_in or C_out is not a positive multiple of groups, the weight's channel extent is not
/// C_in / groups, stride, dilation or groups is not positive, padding is negative, the output would
/// be empty, or the dtypes differ (ValueError for int64 too).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              std::array<int64_t, 2> stride = {1, 1}, std::array<int64_t, 2> padding = {0, 0},
              std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1);

}  // namespace tapenet
