#include "framework/ops/normalization.hpp"

#include <string>

#include "framework/kernels/copy.hpp"
#include "framework/kernels/normalization.hpp"
#include "framework/tape.hpp"

namespace tapenet {
namespace {

// Throws ValueError unless `t` (named `what`) is undefined or a [C] tensor of x's dtype.
void check_channel_tensor(const Tensor& x, const Tensor& t, const char* what) {
  if (!t.defined() || (t.shape() == Shape{x.size(1)} && t.dtype() == x.dtype())) return;
  std::string msg("batch_norm: expected ");
  msg.append(what).append(" of shape [").append(std::to_string(x.size(1))).append("] and dtype ");
  msg.append(dtype_name(x.dtype())).append(" for input ").append(shape_str(x.shape())).append(", got ");
  msg.append(dtype_name(t.dtype())).append(" ").append(shape_str(t.shape()));
  throw ValueError(msg);
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  if (x.dim() < 2 || !is_floating(x.dtype()))
    throw ValueError(std::string("batch_norm: expected a floating input [N, C, *], got ") + dtype_name(x.dtype()) +
                     " " + shape_str(x.shape()));
  check_channel_tensor(x, running_mean, "running_mean");
  check_channel_tensor(x, running_var, "running_var");
  check_channel_tensor(x, weight, "weight");
  check_channel_tensor(x, bias, "bias");
  if (running_mean.defined() != running_var.defined() || (!training && !running_mean.defined()))
    throw ValueError(std::string("batch_norm: running_mean and running_var must be both defined or both ") +
                     "undefined, and defined in eval mode");
  const int64_t C = x.size(1);
  const int64_t count = C == 0 ? 0 : x.numel() / C;
  Tensor mean = Tensor::empty({C}, DType::f64);
  Tensor invstd = Tensor::empty({C}, DType::f64);
  if (training) {
    if (count < 2)
      throw ValueError(std::string("batch_norm: expected more than 1 value per channel when training, got input ") +
                       shape_str(x.shape()));
    Tensor var = Tensor::empty({C}, DType::f64);
    kernels::batch_norm_stats(x, mean, var);
    kernels::batch_norm_invstd(var, eps, invstd);
    if (running_mean.defined()) {
      Tensor rm = running_mean, rv = running_var;
      kernels::batch_norm_update_running(mean, var, count, momentum, rm, rv);
    }
  } else {
    kernels::convert(running_mean, mean, false);
    kernels::batch_norm_invstd(running_var, eps, invstd);
  }
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  kernels::batch_norm_forward(x, mean, invstd, weight, bias, y);
  if (needs_grad(x, weight, bias))
    record("batch_norm", y, [x, weight, bias, mean, invstd, training](const Tensor& gy, const Tensor&) {
      // x_hat = (x - mean) * invstd;  gbias += sum(gy);  gweight += sum(gy * x_hat)
      // training: gx += weight * invstd * (gy - mean(gy) - x_hat * mean(gy * x_hat));  eval: gx += weight * invstd * gy
      kernels::BatchNormGrads grads;
      if (x.requires_grad()) grads.input = grad_buffer(x);
      if (weight.defined() && weight.requires_grad()) grads.weight = grad_buffer(weight);
      if (bias.defined() && bias.requires_grad()) grads.bias = grad_buffer(bias);
      kernels::batch_norm_backward(gy, x, mean, invstd, weight, training, grads);
    });
  return y;
}

}  // namespace tapenet
