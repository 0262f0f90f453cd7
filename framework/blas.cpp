#include "framework/blas.hpp"

#include <cblas.h>

#include <algorithm>

#include "framework/parallel.hpp"

namespace tapenet::blas {
namespace {

// Below this many multiply-adds a GEMM runs as one call: splitting costs more than it saves.
constexpr int64_t kSplitMacs = int64_t{1} << 21;

CBLAS_TRANSPOSE op(bool t) { return t ? CblasTrans : CblasNoTrans; }

void call(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, op(ta), op(tb), blasint(M), blasint(N), blasint(K), alpha, A, blasint(lda), B,
              blasint(ldb), beta, C, blasint(ldc));
}

void call(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, op(ta), op(tb), blasint(M), blasint(N), blasint(K), alpha, A, blasint(lda), B,
              blasint(ldb), beta, C, blasint(ldc));
}

// OpenBLAS runs single-threaded (parallel.cpp); large products are split into a fixed number of
// row or column panels of C, one OpenBLAS call each, under parallel_for. Each element of C is
// computed by exactly one call over the whole K, so the split does not change any result.
template <class T>
void split_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
                int64_t ldb, T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  const int64_t threads = get_num_threads();
  if (threads == 1 || M * N * K < kSplitMacs) return call(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  // Panels of whole cache-friendly widths, at least one per thread, split along the longer side.
  const bool by_rows = M >= N;
  const int64_t extent = by_rows ? M : N;
  const int64_t panels = std::min<int64_t>(extent, 4 * threads);
  const int64_t width = (extent + panels - 1) / panels;
  parallel_for(0, (extent + width - 1) / width, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t lo = p * width, n = std::min(width, extent - lo);
      if (by_rows)  // rows lo.. of op(A) and C
        call(ta, tb, n, N, K, alpha, A + (ta ? lo : lo * lda), lda, B, ldb, beta, C + lo * ldc, ldc);
      else  // columns lo.. of op(B) and C
        call(ta, tb, M, n, K, alpha, A, lda, B + (tb ? lo * ldb : lo), ldb, beta, C + lo, ldc);
    }
  });
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  split_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
          int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  split_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace tapenet::blas
