#include "framework/kernels/dropout.hpp"

#include "framework/kernels/elementwise.hpp"

namespace tapenet::kernels {

void dropout_mask(double p, Generator& gen, Tensor& mask) {
  dispatch_floating(mask.dtype(), "dropout", [&]<class T>() {
    const T scale = p < 1 ? static_cast<T>(1 / (1 - p)) : T(0);
    T* m = mask.data<T>();
    for (int64_t i = 0; i < mask.numel(); ++i) m[i] = gen.uniform() < p ? T(0) : scale;
  });
}

void dropout_forward(const Tensor& x, const Tensor& mask, Tensor& y) {
  dispatch_floating(x.dtype(), "dropout", [&]<class T>() {
    map2(x.data<T>(), mask.data<T>(), y.data<T>(), x.numel(), [](T v, T m) { return v * m; });
  });
}

void dropout_backward(const Tensor& gy, const Tensor& mask, Tensor& gx) {
  dispatch_floating(gy.dtype(), "dropout backward", [&]<class T>() {
    T* g = gx.data<T>();
    const T* pg = gy.data<T>();
    const T* pm = mask.data<T>();
    parallel_for(0, gx.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) g[i] += pg[i] * pm[i];
    });
  });
}

}  // namespace tapenet::kernels
