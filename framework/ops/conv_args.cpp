#include "framework/ops/conv_args.hpp"

#include "framework/ops/op_helpers.hpp"

namespace tapenet::ops_detail {

std::string pair_str(std::array<int64_t, 2> v) {
  std::string s("(");  // appended piecewise: GCC 12's -Wrestrict misfires on "(" + std::string
  return s.append(std::to_string(v[0])).append(", ").append(std::to_string(v[1])).append(")");
}

std::string describe_conv(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  std::string s(op);
  s.append(" of input ").append(shape_str(input.shape())).append(", weight ").append(shape_str(weight.shape()));
  if (bias.defined()) s.append(", bias ").append(shape_str(bias.shape()));
  return s;
}

kernels::ConvGeometry check_conv(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                                 std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                                 std::array<int64_t, 2> dilation) {
  const auto fail = [&](const std::string& why) {
    throw ValueError(describe_conv(op, input, weight, bias).append(": ").append(why));
  };
  if (input.dim() != 4) fail("expected a 4-d input [N, C_in, H, W]");
  if (weight.dim() != 4) fail("expected a 4-d weight [C_out, C_in, kh, kw]");
  if (!is_floating(input.dtype())) fail(std::string("expected float32 or float64, got ") + dtype_name(input.dtype()));
  check_same_dtype(input, weight, op);
  if (bias.defined()) check_same_dtype(input, bias, op);
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
    fail("expected a bias of shape [" + std::to_string(weight.size(0)) + "]");
  if (stride[0] < 1 || stride[1] < 1) fail("stride must be positive, got " + pair_str(stride));
  if (dilation[0] < 1 || dilation[1] < 1) fail("dilation must be positive, got " + pair_str(dilation));
  if (padding[0] < 0 || padding[1] < 0) fail("padding must be non-negative, got " + pair_str(padding));
  if (weight.size(2) < 1 || weight.size(3) < 1) fail("the kernel must not be empty");
  const kernels::ConvGeometry g{input.size(2), input.size(3), weight.size(2), weight.size(3), stride[0],
                                stride[1],     padding[0],    padding[1],     dilation[0],    dilation[1]};
  if (g.out_h() < 1 || g.out_w() < 1)
    fail("the output would be empty (" + std::to_string(g.out_h()) + " x " + std::to_string(g.out_w()) +
         ") with stride " + pair_str(stride) + ", padding " + pair_str(padding) + ", dilation " + pair_str(dilation));
  return g;
}

}  // namespace tapenet::ops_detail
