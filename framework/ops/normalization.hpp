#pragma once
/// \file Differentiable batch normalization with PyTorch's semantics (torch.nn.functional.batch_norm).
#include "framework/tensor.hpp"

namespace tapenet {

/// Normalizes each channel of x [N, C, *] (e.g. [N, C], [N, C, L], [N, C, H, W]) and applies the
/// affine transform: y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c].
///
/// training: mean and var are the batch statistics over the N * prod(*) values of each channel
/// (biased variance), accumulated in double in a fixed order. When running_mean and running_var
/// are defined they are updated in place, not recorded:
///   running = (1 - momentum) * running + momentum * batch_stat,
/// with the unbiased batch variance for running_var. Both may be undefined
/// (track_running_stats=False). Fewer than 2 values per channel throw ValueError.
/// eval: mean and var are running_mean and running_var, which must then be defined.
///
/// weight and bias may be undefined (1 and 0). Every defined [C] tensor must match x's dtype.
/// Differentiable in x, weight and bias: one fused backward kernel; in eval mode the input
/// gradient is the affine scale weight / sqrt(running_var + eps). Runs in parallel over channels
/// (bit-identical for any thread count). Throws ValueError naming the op and the shapes for x with
/// fewer than 2 dimensions or a non-floating dtype, and for a [C] tensor of another shape or dtype.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);

}  // namespace tapenet
