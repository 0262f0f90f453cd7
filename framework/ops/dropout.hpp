#pragma once
/// \file Differentiable inverted dropout with PyTorch's semantics (torch.nn.functional.dropout).
#include "framework/random.hpp"
#include "framework/tensor.hpp"

namespace tapenet {

/// In training, zeroes each element of x independently with probability p and scales the
/// survivors by 1 / (1 - p), so the expectation is unchanged; p = 1 gives all zeros (NaN stays
/// NaN, as x * 0). The mask is drawn serially from `gen`, one draw per element, so the result
/// depends on the seed alone, never on the thread count. Saves the mask (0 or 1 / (1 - p), x's
/// dtype); the gradient is gy * mask. When not training, or p = 0, returns x itself (the same
/// handle, nothing recorded, no draw). Throws ValueError naming the op for p outside [0, 1] (in
/// either mode) and, in training, for a non-floating x.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
/// The same with default_generator().
Tensor dropout(const Tensor& x, double p, bool training);

}  // namespace tapenet
