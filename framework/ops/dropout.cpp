#include "framework/ops/dropout.hpp"

#include <sstream>

#include "framework/kernels/dropout.hpp"
#include "framework/tape.hpp"

namespace tapenet {

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  if (!(p >= 0 && p <= 1)) {
    std::ostringstream msg;
    msg << "dropout: probability must be in [0, 1], got " << p << " for input " << shape_str(x.shape());
    throw ValueError(msg.str());
  }
  if (!training || p == 0) return x;
  Tensor mask = Tensor::empty(x.shape(), x.dtype());
  kernels::dropout_mask(p, gen, mask);
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  kernels::dropout_forward(x, mask, y);
  if (needs_grad(x))
    record("dropout", y, [x, mask](const Tensor& gy, const Tensor&) {
      // gx += gy * mask
      kernels::dropout_backward(gy, mask, grad_buffer(x));
    });
  return y;
}

Tensor dropout(const Tensor& x, double p, bool training) { return dropout(x, p, training, default_generator()); }

}  // namespace tapenet
