#include "framework/ops/linear.hpp"

#include "framework/kernels/linear.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const auto fail = [&](const char* why) {
    std::string msg("linear: ");
    msg.append(why).append(" (input ").append(shape_str(input.shape())).append(", weight ");
    msg.append(shape_str(weight.shape())).append(", bias ");
    msg.append(bias.defined() ? shape_str(bias.shape()) : std::string("none")).append(")");
    return ValueError(msg);
  };
  if (weight.dim() != 2) throw fail("weight must be [out, in]");
  if (input.dim() < 1 || input.shape().back() != weight.shape()[1])
    throw fail("the last input dimension must equal the weight's in_features");
  if (bias.defined() && bias.shape() != Shape{weight.shape()[0]}) throw fail("bias must be [out]");
  check_same_dtype(input, weight, "linear");
  if (bias.defined()) check_same_dtype(weight, bias, "linear");
  Shape out_shape = input.shape();
  out_shape.back() = weight.shape()[0];
  Tensor y = Tensor::empty(out_shape, input.dtype());
  kernels::linear_forward(input, weight, bias, y);
  if (needs_grad(input, weight, bias))
    record("linear", y, [input, weight, bias](const Tensor& gy, const Tensor&) {
      // gx += gy W;  gW += gy^T x;  gb += sum_rows gy
      if (input.requires_grad()) kernels::linear_grad_input(gy, weight, grad_buffer(input));
      if (weight.requires_grad()) kernels::linear_grad_weight(gy, input, grad_buffer(weight));
      if (bias.defined() && bias.requires_grad()) kernels::sum_to(gy, grad_buffer(bias), true);
    });
  return y;
}

}  // namespace tapenet
