#pragma once
/// \file Batch normalization kernels over x [N, C, *], viewed as [N, C, S]: per-channel statistics,
/// the normalisation itself, the running-statistics update and the fused backward.
///
/// Per-channel statistics (`mean`, `var`, `invstd`) are float64 [C] tensors whatever x's dtype,
/// accumulated in double. `weight` and `bias` are [C] of x's dtype, or undefined (1 and 0).
/// Channels are split among tasks and each channel is reduced by one task in a fixed order, so
/// results are bit-identical for any thread count. Forward kernels assign; the backward kernel
/// accumulates (`+=`) into the gradients it is given. A non-floating x throws ValueError.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// mean[c] and biased var[c] of the N * S values of channel c (two passes: mean, then the mean
/// squared deviation).
void batch_norm_stats(const Tensor& x, Tensor& mean, Tensor& var);

/// invstd[c] = 1 / sqrt(var[c] + eps); var is any floating [C] tensor, invstd float64 [C].
void batch_norm_invstd(const Tensor& var, double eps, Tensor& invstd);

/// running = (1 - momentum) * running + momentum * batch statistic, in place, with the unbiased
/// variance var * count / (count - 1) for running_var (count = N * S > 1 values per channel).
void batch_norm_update_running(const Tensor& mean, const Tensor& var, int64_t count, double momentum,
                               Tensor& running_mean, Tensor& running_var);

/// y = (x - mean[c]) * invstd[c] * weight[c] + bias[c].
void batch_norm_forward(const Tensor& x, const Tensor& mean, const Tensor& invstd, const Tensor& weight,
                        const Tensor& bias, Tensor& y);

/// Gradient buffers that batch_norm_backward accumulates into; an undefined one is skipped.
struct BatchNormGrads {
  Tensor input, weight, bias;
};

/// With x_hat = (x - mean[c]) * invstd[c], the sums running over the M = N * S values of channel c:
///   grads.bias[c]   += sum(gy)
///   grads.weight[c] += sum(gy * x_hat)
///   grads.input     += weight[c] * invstd[c] * (gy - sum(gy) / M - x_hat * sum(gy * x_hat) / M)
/// when `batch_stats` (mean and invstd came from this batch), else += weight[c] * invstd[c] * gy.
void batch_norm_backward(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& invstd,
                         const Tensor& weight, bool batch_stats, BatchNormGrads& grads);

}  // namespace tapenet::kernels
