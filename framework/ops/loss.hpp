#pragma once
/// \file Differentiable loss functions with PyTorch's semantics: nll_loss, cross_entropy, mse_loss.
/// Classification losses take input [N, C] (floating) and class labels `target` [N] (int64); a
/// wrong shape or dtype throws ValueError naming the op and the shapes, a label outside [0, C)
/// that is not `ignore_index` throws IndexError naming the op, the label and C.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet {

/// How per-sample losses are combined: kept as they are, averaged, or added up.
enum class Reduction { none, mean, sum };

/// Negative log-likelihood of log-probabilities `input` [N, C]: loss_i = -input[i, target_i], 0
/// for samples whose target is `ignore_index`. `mean` divides the sum by the number of samples not
/// ignored (NaN when all are); `none` returns the [N] losses, the others a 0-d tensor.
Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                int64_t ignore_index = -100);

/// nll_loss(log_softmax(logits, 1), target) with label smoothing eps as in PyTorch 1.13:
/// loss_i = (1 - eps) * nll_i + eps * mean_c(-log_softmax(logits)[i, c]), 0 for ignored samples;
/// `mean` divides by the number of samples not ignored. Throws ValueError unless 0 <= eps <= 1.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::mean,
                     double label_smoothing = 0.0, int64_t ignore_index = -100);

/// Squared error (input - target)^2, elementwise; `mean` averages over all elements. Both tensors
/// must have the same shape and dtype (ValueError otherwise, no broadcasting); both may require grad.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

}  // namespace tapenet
