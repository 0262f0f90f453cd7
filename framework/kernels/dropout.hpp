#pragma once
/// \file Inverted dropout kernels: drawing the mask, applying it forward and backward.
///
/// The mask has x's shape and dtype and holds 0 or the survivor scale 1 / (1 - p). It is drawn
/// serially from one generator (results depend on the seed alone); applying it runs under
/// parallel_for above kElementwiseGrain elements, each element on its own, so results are
/// bit-identical for any thread count. A non-floating tensor throws ValueError naming the op.
#include "framework/random.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// mask[i] = 0 when gen.uniform() < p (one draw per element, in order), 1 / (1 - p) otherwise.
/// Assigns; p in [0, 1] (with p = 1 every element is 0).
void dropout_mask(double p, Generator& gen, Tensor& mask);

/// y = x * mask (assigns).
void dropout_forward(const Tensor& x, const Tensor& mask, Tensor& y);

/// gx += gy * mask.
void dropout_backward(const Tensor& gy, const Tensor& mask, Tensor& gx);

}  // namespace tapenet::kernels
