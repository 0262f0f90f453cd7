#pragma once
/// \file Differentiable reductions over dimensions: sum, mean, max; and argmax (not differentiable).
/// `dims` may be negative; an empty list reduces over every dimension. With keepdim the reduced
/// dimensions stay as size 1. Throws IndexError for an out-of-range dim, ValueError for a repeated one.
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// Sum over all elements (0-d result).
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
/// Mean over all elements (0-d result); NaN for an empty tensor, as in PyTorch.
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
/// Maximum over all elements; NaN propagates. The gradient flows to the first maximal element
/// (PyTorch's amax splits it among ties instead). Throws ValueError on an empty reduction.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
/// Index (int64) of the first maximum along `dim`.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

/// The shape `shape` takes after reducing `dims` (kept as 1 when keepdim, removed otherwise);
/// an empty `dims` means all. Throws IndexError / ValueError naming `op`.
Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim, const char* op);

}  // namespace tapenet
