#include "framework/kernels/elementwise.hpp"

namespace tapenet::kernels {

void accumulate(Tensor& dst, const Tensor& src) {
  if (dst.shape() != src.shape() || dst.dtype() != src.dtype())
    throw ValueError("accumulate: gradient of shape " + shape_str(src.shape()) + " (" + dtype_name(src.dtype()) +
                     ") does not match tensor of shape " + shape_str(dst.shape()) + " (" +
                     dtype_name(dst.dtype()) + ")");
  dispatch_floating(dst.dtype(), "accumulate", [&]<class T>() {
    T* d = dst.data<T>();
    const T* s = src.data<T>();
    parallel_for(0, dst.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) d[i] += s[i];
    });
  });
}

}  // namespace tapenet::kernels
