#include "framework/ops/conv.hpp"

#include "framework/kernels/conv2d.hpp"
#include "framework/ops/conv_args.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

// Throws ValueError unless the arguments describe a valid convolution; returns its plan.
kernels::Conv2dPlan check_and_plan(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                   std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                                   std::array<int64_t, 2> dilation, int64_t groups) {
  const kernels::ConvGeometry g = check_conv("conv2d", input, weight, bias, stride, padding, dilation);
  const auto fail = [&](const std::string& why) {
    throw ValueError(describe_conv("conv2d", input, weight, bias).append(": ").append(why));
  };
  if (groups < 1) fail("groups must be positive, got " + std::to_string(groups));
  const int64_t c_in = input.size(1), c_out = weight.size(0);
  if (c_in == 0 || c_in % groups != 0)
    fail("C_in = " + std::to_string(c_in) + " is not a positive multiple of groups = " + std::to_string(groups));
  if (c_out == 0 || c_out % groups != 0)
    fail("C_out = " + std::to_string(c_out) + " is not a positive multiple of groups = " + std::to_string(groups));
  if (weight.size(1) != c_in / groups)
    fail("weight has " + std::to_string(weight.size(1)) +
         " input channels, expected C_in / groups = " + std::to_string(c_in / groups));
  return kernels::plan_conv2d(input.size(0), c_in, c_out, groups, g);
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, std::array<int64_t, 2> stride,
              std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation, int64_t groups) {
  const kernels::Conv2dPlan plan = check_and_plan(input, weight, bias, stride, padding, dilation, groups);
  Tensor y =
      Tensor::empty({plan.batch, plan.out_channels, plan.geometry.out_h(), plan.geometry.out_w()}, input.dtype());
  const bool record_grad = needs_grad(input, weight, bias);
  // The columns stay for the weight gradient when the plan allows it (small layers).
  const Tensor columns = kernels::conv2d_forward(input, weight, bias, y, plan, record_grad && weight.requires_grad());
  if (record_grad)
    record("conv2d", y, [input, weight, bias, columns, plan](const Tensor& gy, const Tensor&) {
      // gx += col2im(W_g^T gy_g); gW_g += gy_g im2col(x)_g^T; gb += sum_{n,h,w} gy
      kernels::conv2d_backward(gy, input, weight, columns, input.requires_grad() ? &grad_buffer(input) : nullptr,
                               weight.requires_grad() ? &grad_buffer(weight) : nullptr,
                               bias.defined() && bias.requires_grad() ? &grad_buffer(bias) : nullptr, plan);
    });
  return y;
}

}  // namespace tapenet
