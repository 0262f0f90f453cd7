#pragma once
/// \file Batched matrix products on contiguous buffers, through blas::gemm.
///
/// GEMMs are issued one after another through blas::gemm, which splits each large one over TBB.
/// The backward kernels accumulate
/// (`+=`, GEMM with beta = 1), so the products of batches broadcast onto one matrix add up.
#include <array>
#include <cstdint>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// How a product [..., m, k] @ [..., k, n] splits into GEMMs of [m, k] @ [k, n].
struct MatmulPlan {
  int64_t m = 0, k = 0, n = 0;
  /// For output matrix i (row-major over the broadcast batch shape): the indices of the matrices
  /// of a and of b it multiplies.
  std::vector<std::array<int64_t, 2>> pairs;
};

/// Plans a @ b for shapes of rank >= 2 with equal inner extents and broadcastable batch dimensions
/// (the caller checks both); `batch` is the broadcast batch shape. When b holds a single matrix,
/// a's batches fold into the rows of one GEMM (m becomes batches * m, one pair).
MatmulPlan plan_matmul(const Shape& a, const Shape& b, const Shape& batch);

/// out = a @ b (assigns). a, b and out share a floating dtype (ValueError naming "matmul" otherwise).
void matmul(const Tensor& a, const Tensor& b, Tensor& out, const MatmulPlan& plan);

/// ga += gy @ b^T.
void matmul_grad_a(const Tensor& gy, const Tensor& b, Tensor& ga, const MatmulPlan& plan);

/// gb += a^T @ gy.
void matmul_grad_b(const Tensor& a, const Tensor& gy, Tensor& gb, const MatmulPlan& plan);

}  // namespace tapenet::kernels
