#include "framework/ops/connection_conv.hpp"

#include "framework/kernels/connection_conv.hpp"
#include "framework/ops/conv_args.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

// Throws ValueError unless the arguments describe a valid connection-table convolution; returns its plan.
kernels::ConnectionConvPlan check_and_plan(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                           const ConnectionTable& table, std::array<int64_t, 2> stride,
                                           std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation) {
  const kernels::ConvGeometry g = check_conv("connection_conv2d", input, weight, bias, stride, padding, dilation);
  const auto fail = [&](const std::string& why) {
    throw ValueError(describe_conv("connection_conv2d", input, weight, bias)
                         .append(", table ")
                         .append(shape_str({table.out_channels(), table.in_channels()}))
                         .append(": ")
                         .append(why));
  };
  const int64_t c_in = input.size(1), c_out = weight.size(0);
  if (weight.size(1) != c_in)
    fail("weight has " + std::to_string(weight.size(1)) + " input channels, expected C_in = " + std::to_string(c_in));
  if (table.out_channels() != c_out || table.in_channels() != c_in)
    fail("expected a table of [C_out, C_in] = " + shape_str({c_out, c_in}));
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
