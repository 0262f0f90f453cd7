#include "framework/ops/conv.hpp"

#include "framework/kernels/conv2d.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

std::string pair_str(std::array<int64_t, 2> v) {
  std::string s("(");
  return s.append(std::to_string(v[0])).append(", ").append(std::to_string(v[1])).append(")");
}

// "conv2d of input [5, 3, 7, 7], weight [4, 3, 3, 3], bias [4]": the start of every error.
std::string describe(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  std::string s("conv2d of input ");
  s.append(shape_str(input.shape())).append(", weight ").append(shape_str(weight.shape()));
  if (bias.defined()) s.append(", bias ").append(shape_str(bias.shape()));
  return s;
}

// Throws ValueError unless the arguments describe a valid convolution; returns its plan.
kernels::Conv2dPlan check_and_plan(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                   std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                                   std::array<int64_t, 2> dilation, int64_t groups) {
  const auto fail = [&](const std::string& why) { throw ValueError(describe(input, weight, bias) + ": " + why); };
  if (input.dim() != 4) fail("expected a 4-d input [N, C_in, H, W]");
  if (weight.dim() != 4) fail("expected a 4-d weight [C_out, C_in / groups, kh, kw]");
  if (!is_floating(input.dtype())) fail(std::string("expected float32 or float64, got ") + dtype_name(input.dtype()));
  check_same_dtype(input, weight, "conv2d");
  if (bias.defined()) check_same_dtype(input, bias, "conv2d");
  if (stride[0] < 1 || stride[1] < 1) fail("stride must be positive, got " + pair_str(stride));
  if (dilation[0] < 1 || dilation[1] < 1) fail("dilation must be positive, got " + pair_str(dilation));
  if (padding[0] < 0 || padding[1] < 0) fail("padding must be non-negative, got " + pair_str(padding));
  if (groups < 1) fail("groups must be positive, got " + std::to_string(groups));
  const int64_t c_in = input.size(1), c_out = weight.size(0);
  if (c_in == 0 || c_in % groups != 0)
    fail("C_in = " + std::to_string(c_in) + " is not a positive multiple of groups = " + std::to_string(groups));
  if (c_out == 0 || c_out % groups != 0)
    fail("C_out = " + std::to_string(c_out) + " is not a positive multiple of groups = " + std::to_string(groups));
  if (weight.size(1) != c_in / groups)
    fail("weight has " + std::to_string(weight.size(1)) +
         " input channels, expected C_in / groups = " + std::to_string(c_in / groups));
  if (weight.size(2) < 1 || weight.size(3) < 1) fail("the kernel must not be empty");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != c_out))
    fail("expected a bias of shape [" + std::to_string(c_out) + "]");
  const kernels::ConvGeometry g{input.size(2), input.size(3), weight.size(2), weight.size(3), stride[0],
                                stride[1],     padding[0],    padding[1],     dilation[0],    dilation[1]};
  if (g.out_h() < 1 || g.out_w() < 1)
    fail("the output would be empty (" + std::to_string(g.out_h()) + " x " + std::to_string(g.out_w()) +
         ") with stride " + pair_str(stride) + ", padding " + pair_str(padding) + ", dilation " + pair_str(dilation));
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
