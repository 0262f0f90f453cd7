#include "framework/ops/pooling.hpp"

#include <string>

#include "framework/kernels/pooling.hpp"
#include "framework/tape.hpp"

namespace tapenet {
namespace {

using Pair = std::array<int64_t, 2>;

std::string pair_str(Pair p) { return shape_str({p[0], p[1]}); }

// Throws ValueError naming `op` unless x is a floating [N, C, H, W] tensor with H, W >= 1.
void check_image(const Tensor& x, const char* op) {
  if (x.dim() != 4 || !is_floating(x.dtype()) || x.size(2) < 1 || x.size(3) < 1)
    throw ValueError(std::string(op) + ": expected a floating input [N, C, H, W] with H, W >= 1, got " +
                     dtype_name(x.dtype()) + " " + shape_str(x.shape()));
}

// PyTorch's pooled extent (pooling_output_shape): floor or ceil of (in + 2 pad - kernel) / stride,
// plus one; in ceil_mode a last window starting in the right padding is dropped.
int64_t pooled_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  const int64_t span = in + 2 * pad - kernel + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Validates the window arguments of `op` on x and returns the window; `out` receives the output shape.
kernels::PoolWindow pool_window(const Tensor& x, Pair kernel, Pair stride, Pair pad, bool ceil_mode, const char* op,
                                Shape& out) {
  check_image(x, op);
  if (stride == Pair{0, 0}) stride = kernel;
  const std::string args = " (input " + shape_str(x.shape()) + ", kernel_size " + pair_str(kernel) + ", stride " +
                           pair_str(stride) + ", padding " + pair_str(pad) + ")";
  for (int d = 0; d < 2; ++d) {
    if (kernel[d] < 1 || stride[d] < 1)
      throw ValueError(std::string(op) + ": kernel_size and stride must be positive" + args);
    if (pad[d] < 0 || pad[d] > kernel[d] / 2)
      throw ValueError(std::string(op) + ": padding must be in [0, kernel_size / 2]" + args);
  }
  out = {x.size(0), x.size(1), pooled_extent(x.size(2), kernel[0], stride[0], pad[0], ceil_mode),
         pooled_extent(x.size(3), kernel[1], stride[1], pad[1], ceil_mode)};
  if (out[2] < 1 || out[3] < 1) {
    std::string msg(op);
    msg.append(": output size ").append(shape_str(out)).append(" is too small").append(args);
    throw ValueError(msg);
  }
  return {kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1]};
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Pair kernel_size, Pair stride, Pair padding, bool ceil_mode) {
  Shape out;
  const kernels::PoolWindow window = pool_window(x, kernel_size, stride, padding, ceil_mode, "max_pool2d", out);
  Tensor y = Tensor::empty(out, x.dtype());
  Tensor indices = Tensor::empty(out, DType::i64);
  kernels::max_pool2d_forward(x, window, y, indices);
  if (needs_grad(x))
    record("max_pool2d", y, [x, indices](const Tensor& gy, const Tensor&) {
      // gx[argmax of each window] += gy
      kernels::max_pool2d_backward(gy, indices, grad_buffer(x));
    });
  return y;
}

Tensor avg_pool2d(const Tensor& x, Pair kernel_size, Pair stride, Pair padding, bool ceil_mode,
                  bool count_include_pad) {
  Shape out;
  const kernels::PoolWindow window = pool_window(x, kernel_size, stride, padding, ceil_mode, "avg_pool2d", out);
  Tensor y = Tensor::empty(out, x.dtype());
  kernels::avg_pool2d_forward(x, window, count_include_pad, y);
  if (needs_grad(x))
    record("avg_pool2d", y, [x, window, count_include_pad](const Tensor& gy, const Tensor&) {
      // gx[window] += gy / divisor
      kernels::avg_pool2d_backward(gy, window, count_include_pad, grad_buffer(x));
    });
  return y;
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size) {
  check_image(x, "adaptive_avg_pool2d");
  if (output_size[0] < 1 || output_size[1] < 1)
    throw ValueError(std::string("adaptive_avg_pool2d: output_size must be positive, got ") + pair_str(output_size) +
                     " for input " + shape_str(x.shape()));
  Tensor y = Tensor::empty({x.size(0), x.size(1), output_size[0], output_size[1]}, x.dtype());
  kernels::adaptive_avg_pool2d_forward(x, y);
  if (needs_grad(x))
    record("adaptive_avg_pool2d", y, [x](const Tensor& gy, const Tensor&) {
      // gx[bin] += gy / bin area
      kernels::adaptive_avg_pool2d_backward(gy, grad_buffer(x));
    });
  return y;
}

Tensor channel_max_pool(const Tensor& x, int64_t k) {
  if (x.dim() < 2 || k < 1 || x.size(1) % k != 0)
    throw ValueError(std::string("channel_max_pool: expected an input [N, C, *] with C divisible by k, got ") +
                     shape_str(x.shape()) + " and k = " + std::to_string(k));
  Shape out = x.shape();
  out[1] /= k;
  Tensor y = Tensor::empty(out, x.dtype());
  Tensor argmax = Tensor::empty(out, DType::i64);
  kernels::channel_max_pool_forward(x, k, y, argmax);
  if (needs_grad(x))
    record("channel_max_pool", y, [x, argmax](const Tensor& gy, const Tensor&) {
      // gx[n, argmax[n, g, s], s] += gy[n, g, s]
      kernels::channel_max_pool_backward(gy, argmax, grad_buffer(x));
    });
  return y;
}

}  // namespace tapenet
