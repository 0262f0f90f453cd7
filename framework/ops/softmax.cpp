#include "framework/ops/softmax.hpp"

#include "framework/kernels/softmax.hpp"
#include "framework/tape.hpp"

namespace tapenet {

Tensor softmax(const Tensor& x, int64_t dim) {
  const int64_t d = normalize_dim(dim, x.dim(), "softmax");
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  kernels::softmax_forward(x, d, y);
  if (needs_grad(x))
    record("softmax", y, [x, d](const Tensor& gy, const Tensor& y) {
      // gx += y * (gy - sum_d(gy * y))
      kernels::softmax_backward(gy, y, d, grad_buffer(x));
    });
  return y;
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  const int64_t d = normalize_dim(dim, x.dim(), "log_softmax");
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  kernels::log_softmax_forward(x, d, y);
  if (needs_grad(x))
    record("log_softmax", y, [x, d](const Tensor& gy, const Tensor& y) {
      // gx += gy - exp(y) * sum_d(gy)
      kernels::log_softmax_backward(gy, y, d, grad_buffer(x));
    });
  return y;
}

}  // namespace tapenet
