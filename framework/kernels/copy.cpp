#include "framework/kernels/copy.hpp"

#include <algorithm>

#include "framework/kernels/elementwise.hpp"
#include "framework/kernels/strided_layout.hpp"

namespace tapenet::kernels {
namespace {

// Runs op(dst_element, src_element) over the layout, one task per block of inner rows.
template <class T, class Op>
void copy_rows(const StridedLayout<2>& L, const T* src, T* dst, Op op) {
  const int64_t inner = L.inner_size(), ds = L.inner_stride(0), ss = L.inner_stride(1);
  parallel_for(0, L.rows(), std::max<int64_t>(1, kElementwiseGrain / inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto [od, os] = L.row_offsets(r);
      T* d = dst + od;
      const T* s = src + os;
      if (ds == 1 && ss == 1)
        for (int64_t i = 0; i < inner; ++i) op(d[i], s[i]);
      else
        for (int64_t i = 0; i < inner; ++i) op(d[i * ds], s[i * ss]);
    }
  });
}

}  // namespace

void strided_copy(const Shape& shape, const Tensor& src, const StridedView& src_view, Tensor& dst,
                  const StridedView& dst_view, bool accumulate) {
  if (src.dtype() != dst.dtype())
    throw ValueError(std::string("strided_copy: dtype mismatch, ") + dtype_name(src.dtype()) + " vs " +
                     dtype_name(dst.dtype()));
  if (shape_numel(shape) == 0) return;
  const StridedLayout<2> L(shape, {dst_view.strides, src_view.strides});
  dispatch_all(src.dtype(), [&]<class T>() {
    const T* s = src.data<T>() + src_view.offset;
    T* d = dst.data<T>() + dst_view.offset;
    if (accumulate)
      copy_rows(L, s, d, [](T& y, T x) { y += x; });
    else
      copy_rows(L, s, d, [](T& y, T x) { y = x; });
  });
}

void convert(const Tensor& src, Tensor& dst, bool accumulate) {
  if (src.numel() != dst.numel())
    throw ValueError("convert: " + std::to_string(src.numel()) + " elements into " + std::to_string(dst.numel()));
  dispatch_all(src.dtype(), [&]<class S>() {
    dispatch_all(dst.dtype(), [&]<class D>() {
      const S* s = src.data<S>();
      D* d = dst.data<D>();
      parallel_for(0, src.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
        if (accumulate)
          for (int64_t i = b; i < e; ++i) d[i] += static_cast<D>(s[i]);
        else
          for (int64_t i = b; i < e; ++i) d[i] = static_cast<D>(s[i]);
      });
    });
  });
}

}  // namespace tapenet::kernels
