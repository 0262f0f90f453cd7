#include "framework/ops/connection_conv.hpp"

#include "framework/kernels/connection_conv.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

std::string pair_str(std::array<int64_t, 2> v) {
  std::string s("(");
  return s.append(std::to_string(v[0])).append(", ").append(std::to_string(v[1])).append(")");
}

// "connection_conv2d of input [5, 3, 7, 7], weight [4, 3, 3, 3], bias [4], table [4, 3]": the start
// of every error.
std::string describe(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConnectionTable& table) {
  std::string s("connection_conv2d of input ");
  s.append(shape_str(input.shape())).append(", weight ").append(shape_str(weight.shape()));
  if (bias.defined()) s.append(", bias ").append(shape_str(bias.shape()));
  return s.append(", table ").append(shape_str({table.out_channels(), table.in_channels()}));
}

// Throws ValueError unless the arguments describe a valid connection-table convolution; returns its plan.
kernels::ConnectionConvPlan check_and_plan(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                           const ConnectionTable& table, std::array<int64_t, 2> stride,
                                           std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation) {
  const auto fail = [&](const std::string& why) {
    throw ValueError(describe(input, weight, bias, table) + ": " + why);
  };
  if (input.dim() != 4) fail("expected a 4-d input [N, C_in, H, W]");
  if (weight.dim() != 4) fail("expected a 4-d weight [C_out, C_in, kh, kw]");
  if (!is_floating(input.dtype())) fail(std::string("expected float32 or float64, got ") + dtype_name(input.dtype()));
  check_same_dtype(input, weight, "connection_conv2d");
  if (bias.defined()) check_same_dtype(input, bias, "connection_conv2d");
  if (stride[0] < 1 || stride[1] < 1) fail("stride must be positive, got " + pair_str(stride));
  if (dilation[0] < 1 || dilation[1] < 1) fail("dilation must be positive, got " + pair_str(dilation));
  if (padding[0] < 0 || padding[1] < 0) fail("padding must be non-negative, got " + pair_str(padding));
  const int64_t c_in = input.size(1), c_out = weight.size(0);
  if (weight.size(1) != c_in)
    fail("weight has " + std::to_string(weight.size(1)) + " input channels, expected C_in = " + std::to_string(c_in));
  if (table.out_channels() != c_out || table.in_channels() != c_in)
    fail("expected a table of [C_out, C_in] = " + shape_str({c_out, c_in}));
  if (weight.size(2) < 1 || weight.size(3) < 1) fail("the kernel must not be empty");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != c_out))
    fail("expected a bias of shape [" + std::to_string(c_out) + "]");
  const kernels::ConvGeometry g{input.size(2), input.size(3), weight.size(2), weight.size(3), stride[0],
                                stride[1],     padding[0],    padding[1],     dilation[0],    dilation[1]};
  if (g.out_h() < 1 || g.out_w() < 1)
    fail("the output would be empty (" + std::to_string(g.out_h()) + " x " + std::to_string(g.out_w()) +
         ") with stride " + pair_str(stride) + ", padding " + pair_str(padding) + ", dilation " + pair_str(dilation));
  std::vector<bool> connected(c_out * c_in);
  for (int64_t o = 0; o < c_out; ++o)
    for (int64_t c = 0; c < c_in; ++c) connected[o * c_in + c] = table.connected(o, c);
  return kernels::plan_connection_conv2d(input.size(0), c_in, c_out, connected, g);
}

}  // namespace

Tensor connection_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const ConnectionTable& table, std::array<int64_t, 2> stride,
                         std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation) {
  const kernels::ConnectionConvPlan plan = check_and_plan(input, weight, bias, table, stride, padding, dilation);
  Tensor y =
      Tensor::empty({plan.batch, plan.out_channels, plan.geometry.out_h(), plan.geometry.out_w()}, input.dtype());
  kernels::connection_conv2d_forward(input, weight, bias, y, plan);
  if (needs_grad(input, weight, bias))
    record("connection_conv2d", y, [input, weight, bias, plan](const Tensor& gy, const Tensor&) {
      // gx += col2im(sum_{o in S_c} W[o,c]^T gy[o]); gW[o,c] += gy[o] im2col(x)_c^T (connected only); gb += sum gy
      kernels::connection_conv2d_backward(gy, input, weight, input.requires_grad() ? &grad_buffer(input) : nullptr,
                                          weight.requires_grad() ? &grad_buffer(weight) : nullptr,
                                          bias.defined() && bias.requires_grad() ? &grad_buffer(bias) : nullptr, plan);
    });
  return y;
}

}  // namespace tapenet
