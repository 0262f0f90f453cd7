#pragma once
/// \file The single wrapper over CBLAS GEMM (OpenBLAS). Row-major throughout.
#include <cstdint>

namespace tapenet::blas {

/// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major, op = transpose when trans_* is
/// true; lda/ldb/ldc are row strides of the stored matrices. beta = 1 accumulates.
/// Threading: OpenBLAS itself always runs on one thread; a large product is split into panels of C
/// computed under parallel_for (TBB), so it may be called from the calling thread or from inside a
/// TBB task alike (TBB nests without oversubscription). Results do not depend on the thread count.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
          int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

}  // namespace tapenet::blas
