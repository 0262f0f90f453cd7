#pragma once
/// \file Differentiable shape ops: reshape, flatten, unsqueeze, squeeze, permute, transpose, t,
/// concat, slice, and dtype conversion (to_dtype).
///
/// reshape and the ops built on it (flatten, unsqueeze, squeeze, t of a 0-/1-d tensor) share the
/// input's storage: writing through one handle is visible in the other. permute, transpose, concat
/// and slice copy into a new contiguous tensor (parallel over rows; bit-identical for any thread
/// count). Every op accepts any dtype; gradients flow only through floating tensors.
/// Dimensions may be negative (counted from the end); out of range is an IndexError naming the op.
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// The same elements viewed with `shape`, which may hold one -1 (inferred from the element count).
/// Shares x's storage (metadata only). Throws ValueError naming both shapes when the element
/// counts differ, on more than one -1 or on another negative extent.
Tensor reshape(const Tensor& x, const Shape& shape);

/// Merges dimensions start_dim..end_dim (inclusive) into one: [2, 3, 4, 5] with (1, 2) -> [2, 12, 5].
/// A 0-d tensor becomes [1], as in PyTorch. Shares storage (a reshape). Throws ValueError when
/// start_dim comes after end_dim.
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);

/// Inserts a size-1 dimension at `dim` (in [-(ndim + 1), ndim]). Shares storage.
Tensor unsqueeze(const Tensor& x, int64_t dim);

/// Removes dimension `dim` if its size is 1 (otherwise the shape is unchanged). Shares storage.
Tensor squeeze(const Tensor& x, int64_t dim);

/// Reorders the dimensions: output dimension i is input dimension dims[i]. [2, 3, 4] with
/// {2, 0, 1} -> [4, 2, 3]. Copies. Throws ValueError when dims is not a permutation of x's dimensions.
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);

/// Swaps two dimensions (a permute). Copies.
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);

/// PyTorch's t(): the transpose of a 2-d tensor; a 0-d or 1-d tensor is returned as a view of itself.
/// Throws ValueError for more than 2 dimensions.
Tensor t(const Tensor& x);

/// torch.cat: joins tensors along `dim`; all must have the same rank, dtype and sizes in every
/// other dimension. Throws ValueError on an empty list, a 0-d tensor or a mismatch (naming the
/// shapes and positions).
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim = 0);

/// x[start:end:step] along `dim`, with Python's rules: a negative start/end counts from the end,
/// both are clamped to [0, size], and an empty range gives size 0. Copies. Throws ValueError when
/// step <= 0, IndexError for a 0-d tensor.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);

/// x converted to `dtype` (a new tensor; x itself when it already has that dtype). float32 <->
/// float64 is differentiable (the gradient is converted back); int64 -> floating is allowed and
/// not differentiable. Throws ValueError for floating -> int64.
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace tapenet
