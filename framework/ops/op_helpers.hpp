#pragma once
/// \file Building blocks shared by op families (internal; not part of the public API).
#include <string>

#include "framework/kernels/elementwise.hpp"
#include "framework/kernels/reduction.hpp"
#include "framework/tape.hpp"

namespace tapenet::ops_detail {

/// Throws ValueError naming `op` unless both tensors are defined and share a dtype.
inline void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype() != b.dtype())
    throw ValueError(std::string(op) + ": dtype mismatch, " + dtype_name(a.dtype()) + " " + shape_str(a.shape()) +
                     " vs " + dtype_name(b.dtype()) + " " + shape_str(b.shape()));
}

/// out = f(a, b) with NumPy broadcasting (not recorded). Throws ValueError naming `op`.
template <class F>
Tensor broadcast_binary(const Tensor& a, const Tensor& b, const char* op, F f) {
  check_same_dtype(a, b, op);
  const Shape so = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(so, a.dtype());
  dispatch_floating(a.dtype(), op, [&]<class T>() {
    kernels::broadcast_map2(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), so,
                            [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  return out;
}

/// grad(input) += contribution, summed over the dimensions along which `input` was broadcast.
inline void accumulate_reduced(const Tensor& input, const Tensor& contribution) {
  Tensor& g = grad_buffer(input);
  if (g.shape() == contribution.shape())
    kernels::accumulate(g, contribution);
  else
    kernels::sum_to(contribution, g, true);
}

/// An elementwise op y = fwd(x) whose backward is gx += bwd(x, y, gy). `fwd` and `bwd` are generic
/// lambdas evaluated in the tensor's own precision.
template <class Fwd, class Bwd>
Tensor pointwise(const char* name, const Tensor& x, Fwd fwd, Bwd bwd) {
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), name, [&]<class T>() {
    kernels::map(x.data<T>(), y.data<T>(), x.numel(), [&](T v) { return static_cast<T>(fwd(v)); });
  });
  if (needs_grad(x))
    record(name, y, [x, bwd](const Tensor& gy, const Tensor& out) {
      dispatch_floating(x.dtype(), "backward", [&]<class T>() {
        kernels::accumulate_map3(grad_buffer(x).data<T>(), x.data<T>(), out.data<T>(), gy.data<T>(), x.numel(),
                                 [&](T xv, T yv, T g) { return static_cast<T>(bwd(xv, yv, g)); });
      });
    });
  return y;
}

}  // namespace tapenet::ops_detail
