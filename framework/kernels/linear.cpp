#include "framework/kernels/linear.hpp"

#include <algorithm>

#include "framework/blas.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

int64_t rows_of(const Tensor& t) { return t.numel() / t.shape().back(); }

}  // namespace

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
  const int64_t rows = rows_of(x), in = w.shape()[1], out = w.shape()[0];
  dispatch_floating(x.dtype(), "linear", [&]<class T>() {
    T* py = y.data<T>();
    T beta = T(0);
    if (b.defined()) {
      // Seed every row with the bias so the GEMM adds onto it (beta = 1).
      const T* pb = b.data<T>();
      parallel_for(0, rows, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(out, 1)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) std::copy(pb, pb + out, py + r * out);
      });
      beta = T(1);
    }
    blas::gemm(false, true, rows, out, in, T(1), x.data<T>(), in, w.data<T>(), in, beta, py, out);
  });
}

void linear_grad_input(const Tensor& gy, const Tensor& w, Tensor& gx) {
  const int64_t rows = rows_of(gy), in = w.shape()[1], out = w.shape()[0];
  dispatch_floating(gy.dtype(), "linear backward", [&]<class T>() {
    blas::gemm(false, false, rows, in, out, T(1), gy.data<T>(), out, w.data<T>(), in, T(1), gx.data<T>(), in);
  });
}

void linear_grad_weight(const Tensor& gy, const Tensor& x, Tensor& gw) {
  const int64_t rows = rows_of(gy), in = gw.shape()[1], out = gw.shape()[0];
  dispatch_floating(gy.dtype(), "linear backward", [&]<class T>() {
    blas::gemm(true, false, out, in, rows, T(1), gy.data<T>(), out, x.data<T>(), in, T(1), gw.data<T>(), in);
  });
}

}  // namespace tapenet::kernels
