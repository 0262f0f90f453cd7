#pragma once
/// \file Negative log-likelihood with label smoothing: [N, C] log-probabilities, int64 labels [N].
///
/// For a sample i whose label t_i is not `ignore_index`, with s the smoothing:
///   loss_i = -(1 - s) * input[i, t_i] - s / C * sum_c input[i, c]
/// and 0 for an ignored sample. With s = 0 other classes are never read (a -inf log-probability
/// elsewhere in the row cannot turn the loss into NaN). Rows are split among tasks, each row is
/// summed by one task in order: results are bit-identical for any thread count.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// losses[i] = loss_i (assigns; losses is [N] of input's dtype). Checks every label first: it must
/// lie in [0, C) or equal ignore_index, else IndexError naming `op`, the label and C.
/// Returns the number of samples not ignored.
int64_t nll_forward(const Tensor& input, const Tensor& target, int64_t ignore_index, double smoothing,
                    Tensor& losses, const char* op);

/// The backward of nll_forward, accumulating (`+=`) into grad_input for every sample not ignored:
/// grad_input[i, c] -= grad_losses[i] * s / C for all c; grad_input[i, t_i] -= grad_losses[i] * (1 - s).
void nll_backward(const Tensor& grad_losses, const Tensor& target, int64_t ignore_index, double smoothing,
                  Tensor& grad_input);

}  // namespace tapenet::kernels
