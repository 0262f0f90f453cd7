#include "framework/kernels/matmul.hpp"

#include "framework/blas.hpp"
#include "framework/kernels/strided_layout.hpp"

namespace tapenet::kernels {

MatmulPlan plan_matmul(const Shape& a, const Shape& b, const Shape& batch) {
  const Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
  MatmulPlan p{a[a.size() - 2], a.back(), b.back(), {}};
  if (shape_numel(batch_b) == 1) {
    p.m *= shape_numel(batch_a);
    p.pairs.push_back({0, 0});
    return p;
  }
  const StridedLayout<2> L(batch, {broadcast_strides(batch_a, batch), broadcast_strides(batch_b, batch)});
  for (int64_t r = 0; r < L.rows(); ++r) {
    const auto [ia, ib] = L.row_offsets(r);
    for (int64_t j = 0; j < L.inner_size(); ++j)
      p.pairs.push_back({ia + j * L.inner_stride(0), ib + j * L.inner_stride(1)});
  }
  return p;
}

// Products with an empty inner extent are skipped (or zero-filled): BLAS rejects leading dimensions of 0.

void matmul(const Tensor& a, const Tensor& b, Tensor& out, const MatmulPlan& p) {
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    if (p.k == 0) {
      out.zero_();
      return;
    }
    for (int64_t i = 0; i < std::ssize(p.pairs); ++i) {
      const auto [ia, ib] = p.pairs[i];
      blas::gemm(false, false, p.m, p.n, p.k, T(1), a.data<T>() + ia * p.m * p.k, p.k, b.data<T>() + ib * p.k * p.n,
                 p.n, T(0), out.data<T>() + i * p.m * p.n, p.n);
    }
  });
}

void matmul_grad_a(const Tensor& gy, const Tensor& b, Tensor& ga, const MatmulPlan& p) {
  dispatch_floating(gy.dtype(), "matmul backward", [&]<class T>() {
    if (p.n == 0) return;
    for (int64_t i = 0; i < std::ssize(p.pairs); ++i) {
      const auto [ia, ib] = p.pairs[i];
      blas::gemm(false, true, p.m, p.k, p.n, T(1), gy.data<T>() + i * p.m * p.n, p.n, b.data<T>() + ib * p.k * p.n, p.n,
                 T(1), ga.data<T>() + ia * p.m * p.k, p.k);
    }
  });
}

void matmul_grad_b(const Tensor& a, const Tensor& gy, Tensor& gb, const MatmulPlan& p) {
  dispatch_floating(gy.dtype(), "matmul backward", [&]<class T>() {
    if (p.m == 0) return;
    for (int64_t i = 0; i < std::ssize(p.pairs); ++i) {
      const auto [ia, ib] = p.pairs[i];
      blas::gemm(true, false, p.k, p.n, p.m, T(1), a.data<T>() + ia * p.m * p.k, p.k, gy.data<T>() + i * p.m * p.n, p.n,
                 T(1), gb.data<T>() + ib * p.k * p.n, p.n);
    }
  });
}

}  // namespace tapenet::kernels
