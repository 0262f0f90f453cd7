#pragma once
/// \file Argument checks shared by the convolution ops (internal; not part of the public API).
#include <array>
#include <string>

#include "framework/kernels/im2col.hpp"
#include "framework/tensor.hpp"

namespace tapenet::ops_detail {

/// "(a, b)", as PyTorch prints a pair.
std::string pair_str(std::array<int64_t, 2> v);

/// "conv2d of input [5, 3, 7, 7], weight [4, 3, 3, 3], bias [4]": the start of every error of `op`.
std::string describe_conv(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias);

/// Checks what every convolution shares and returns its window geometry: input [N, C, H, W] and
/// weight [C_out, *, kh, kw] 4-d, floating and of one dtype (bias too, and [C_out]); stride and
/// dilation positive; padding non-negative; a non-empty kernel and output. Throws ValueError
/// "<describe_conv(op, ...)>: <why>".
kernels::ConvGeometry check_conv(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                                 std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                                 std::array<int64_t, 2> dilation);

}  // namespace tapenet::ops_detail
