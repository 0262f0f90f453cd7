#pragma once
/// \file Reductions of a tensor to a smaller, broadcast-compatible shape (sum and max).
///
/// `dst` has the shape of `src` with reduced dimensions set to 1 (leading 1s may be omitted), so the
/// same kernel serves `sum(dim, keepdim)` forward and the backward of a broadcasting op.
/// Summation order is fixed by the shapes alone, so results are bit-identical for any thread count.
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// dst (+)= sum of src over the dimensions where dst has extent 1. Accumulates when `accumulate`,
/// assigns otherwise. Throws ValueError when dst's shape cannot be broadcast to src's.
void sum_to(const Tensor& src, Tensor& dst, bool accumulate);

/// values = max of src over the dimensions where `values` has extent 1 (NaN propagates);
/// offsets (int64, same shape as values) = flat offset in src of the first maximal element.
/// Throws ValueError on an empty reduction.
void max_to(const Tensor& src, Tensor& values, Tensor& offsets);

/// grad_src[offsets[i]] += grad_values[i]: the backward of max_to.
void scatter_add_offsets(const Tensor& grad_values, const Tensor& offsets, Tensor& grad_src);

}  // namespace tapenet::kernels
