#pragma once
/// \file Differentiable connection-table 2-D convolution (LeNet-5's C3): output map o reads only the
/// input maps its row of the table connects.
#include <array>
#include <cstdint>

#include "framework/tensor.hpp"
#include "framework/connection_table.hpp"

namespace tapenet {

/// Cross-correlation of input [N, C_in, H, W] with weight [C_out, C_in, kh, kw] masked by
/// table [C_out][C_in], plus bias [C_out] when defined: output [N, C_out, H_out, W_out] with
/// H_out = (H + 2 padding[0] - dilation[0] (kh - 1) - 1) / stride[0] + 1 (W_out likewise).
/// Equals conv2d(input, weight * mask, bias, ...) where mask[o, i] = table.connected(o, i): the
/// unconnected slices weight[o, i] are never read, whatever they hold.
/// Backward (accumulates): gx += col2im(sum_{o in S_c} W[o, c]^T gy[o]) per input channel c;
/// gW[o, c] += gy[o] im2col(x)_c^T for connected pairs only, so the unconnected slices of the weight
/// gradient stay exactly zero; gb += sum of gy over N, H, W.
/// Time is proportional to table.connections(): TBB over images with register-blocked kernels, no
/// GEMM call, bit-identical for any thread count. float32 or float64, all operands of one dtype.
/// Throws ValueError naming "connection_conv2d" and the shapes when input or weight is not 4-d, the
/// weight's input channels differ from C_in, the table is not [C_out][C_in], bias is not [C_out],
/// stride or dilation is not positive, padding is negative, the output would be empty, or the
/// dtypes differ (ValueError for int64 too).
Tensor connection_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const ConnectionTable& table, std::array<int64_t, 2> stride = {1, 1},
                         std::array<int64_t, 2> padding = {0, 0}, std::array<int64_t, 2> dilation = {1, 1});

}  // namespace tapenet
