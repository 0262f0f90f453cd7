#pragma once
/// \file Differentiable matrix product with PyTorch's torch.matmul rules.
#include "framework/tensor.hpp"

namespace tapenet {

/// Matrix product of two floating tensors of the same dtype:
/// - [m, k] @ [k, n] -> [m, n];
/// - batched [..., m, k] @ [..., k, n] -> [broadcast(...), m, n], the batch dimensions broadcast
///   as in NumPy ([2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2]); a 2-d b is applied to every matrix of a
///   in one GEMM;
/// - a 1-d a acts as a row [1, k] and a 1-d b as a column [k, 1]; the added dimension is removed
///   from the result (1-d @ 1-d is the 0-d dot product).
/// Backward: ga += gy @ b^T, gb += a^T @ gy, summed over broadcast batches.
/// Throws ValueError naming "matmul" and both shapes on a 0-d operand, unequal inner extents,
/// batch dimensions that do not broadcast or mismatched dtypes; ValueError for int64 operands.
/// GEMMs go through blas::gemm (split over TBB when large; safe inside TBB tasks).
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace tapenet
