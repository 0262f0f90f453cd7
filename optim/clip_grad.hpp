#pragma once
/// \file Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Parameters whose
/// gradient is undefined are skipped. Both modify the gradients in place.
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::optim {

/// Scales all gradients by min(1, max_norm / (total + 1e-6)), where total is the norm of the
/// concatenated gradients (norm_type > 0, or infinity for the largest magnitude). Returns total
/// (0 without gradients). The sum runs over fixed chunks, so the result does not depend on the thread
/// count. Throws ValueError for norm_type <= 0 or NaN.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);

/// Clamps every gradient element to [-clip_value, clip_value]. Throws ValueError for clip_value < 0.
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace tapenet::optim
