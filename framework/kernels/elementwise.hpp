#pragma once
/// \file Elementwise kernels: maps over contiguous buffers and NumPy-broadcasting binary maps.
///
/// Forward kernels assign their output; the `accumulate*` kernels add (`+=`) into a gradient
/// buffer. All run under parallel_for above kElementwiseGrain elements and are bit-identical for
/// any thread count (each element is computed independently).
#include <algorithm>
#include <cstdint>

#include "framework/kernels/strided_layout.hpp"
#include "framework/parallel.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// Elements per task below which elementwise kernels stay on the calling thread.
constexpr int64_t kElementwiseGrain = 1 << 15;

/// y[i] = f(x[i]) for i < n.
template <class T, class F>
void map(const T* x, T* y, int64_t n, F f) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
  });
}

/// out[i] = f(a[i], b[i]) for i < n.
template <class T, class F>
void map2(const T* a, const T* b, T* out, int64_t n, F f) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i], b[i]);
  });
}

/// g[i] += f(a[i], b[i], c[i]) for i < n: the shape of most backward kernels
/// (e.g. a = x, b = y, c = grad_y).
template <class T, class F>
void accumulate_map3(T* g, const T* a, const T* b, const T* c, int64_t n, F f) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) g[i] += f(a[i], b[i], c[i]);
  });
}

/// out = f(a, b) with NumPy broadcasting; `so` must be broadcast_shapes(sa, sb). Assigns.
template <class T, class F>
void broadcast_map2(const T* a, const Shape& sa, const T* b, const Shape& sb, T* out, const Shape& so, F f) {
  const int64_t n = shape_numel(so);
  if (n == 0) return;
  if (sa == so && sb == so) return map2(a, b, out, n, f);
  const StridedLayout<2> layout(so, {broadcast_strides(sa, so), broadcast_strides(sb, so)});
  const int64_t inner = layout.inner_size(), ia = layout.inner_stride(0), ib = layout.inner_stride(1);
  parallel_for(0, layout.rows(), std::max<int64_t>(1, kElementwiseGrain / inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto [oa, ob] = layout.row_offsets(r);
      T* o = out + r * inner;
      const T* pa = a + oa;
      const T* pb = b + ob;
      if (ia == 1 && ib == 1)
        for (int64_t i = 0; i < inner; ++i) o[i] = f(pa[i], pb[i]);
      else if (ia == 1)
        for (int64_t i = 0; i < inner; ++i) o[i] = f(pa[i], *pb);
      else if (ib == 1)
        for (int64_t i = 0; i < inner; ++i) o[i] = f(*pa, pb[i]);
      else
        for (int64_t i = 0; i < inner; ++i) o[i] = f(*pa, *pb);
    }
  });
}

/// dst += src elementwise (same shape and dtype; throws ValueError otherwise).
void accumulate(Tensor& dst, const Tensor& src);

}  // namespace tapenet::kernels
