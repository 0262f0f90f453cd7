#include "framework/kernels/im2col.hpp"

#include <algorithm>

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Column entries written (or read) per task below which the batch functions stay on the calling thread.
constexpr int64_t kIm2colGrain = 1 << 14;

// im2col of one channel plane into kernel_size rows starting at `rows`.
template <class T>
void unfold_plane(const T* plane, const ConvGeometry& g, T* rows, int64_t ld) {
  const int64_t out_w = g.out_w(), out_size = g.out_size(), sh = g.stride_h, sw = g.stride_w, in_w = g.in_w;
  for_each_tap(g, [&](const ConvTap& t) {
    T* row = rows + t.index * ld;
    std::fill(row, row + t.h_lo * out_w, T(0));
    std::fill(row + t.h_hi * out_w, row + out_size, T(0));
    const int64_t n = t.w_hi - t.w_lo;
    for (int64_t oh = t.h_lo; oh < t.h_hi; ++oh) {
      T* __restrict dst = row + oh * out_w;
      std::fill(dst, dst + t.w_lo, T(0));
      std::fill(dst + t.w_hi, dst + out_w, T(0));
      if (n == 0) continue;
      const T* __restrict src = plane + (oh * sh + t.h_offset) * in_w + t.w_lo * sw + t.w_offset;  // column w_lo
      if (sw == 1)  // rows are short: an inline loop beats a memmove call
        for (int64_t k = 0; k < n; ++k) dst[t.w_lo + k] = src[k];
      else
        for (int64_t k = 0; k < n; ++k) dst[t.w_lo + k] = src[k * sw];
    }
  });
}

// col2im of kernel_size rows starting at `rows` into one channel plane (accumulates).
template <class T>
void fold_plane(const T* rows, int64_t ld, const ConvGeometry& g, T* plane) {
  const int64_t out_w = g.out_w(), sh = g.stride_h, sw = g.stride_w, in_w = g.in_w;
  for_each_tap(g, [&](const ConvTap& t) {
    const int64_t n = t.w_hi - t.w_lo;
    if (n == 0) return;
    for (int64_t oh = t.h_lo; oh < t.h_hi; ++oh) {
      T* __restrict dst = plane + (oh * sh + t.h_offset) * in_w + t.w_lo * sw + t.w_offset;  // column w_lo
      const T* __restrict src = rows + t.index * ld + oh * out_w + t.w_lo;
      if (sw == 1)
        for (int64_t k = 0; k < n; ++k) dst[k] += src[k];
      else
        for (int64_t k = 0; k < n; ++k) dst[k * sw] += src[k];
    }
  });
}

// Planes (image, channel) per task so that a task touches about kIm2colGrain column entries.
int64_t plane_grain(const ConvGeometry& g) {
  return std::max<int64_t>(1, kIm2colGrain / std::max<int64_t>(1, g.kernel_size() * g.out_size()));
}

}  // namespace

template <class T>
void im2col(const T* image, const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* cols, int64_t ld) {
  for (int64_t c = c_begin; c < c_end; ++c)
    unfold_plane(image + c * g.in_size(), g, cols + (c - c_begin) * g.kernel_size() * ld, ld);
}

template <class T>
void col2im(const T* cols, int64_t ld, const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* image) {
  for (int64_t c = c_begin; c < c_end; ++c)
    fold_plane(cols + (c - c_begin) * g.kernel_size() * ld, ld, g, image + c * g.in_size());
}

template <class T>
void im2col_batch(const T* input, int64_t batch, int64_t channels, const ConvGeometry& g, int64_t c_begin,
                  int64_t c_end, T* cols, int64_t image_stride, int64_t ld) {
  const int64_t nc = c_end - c_begin;
  parallel_for(0, batch * nc, plane_grain(g), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int64_t n = p / nc, c = p % nc;
      unfold_plane(input + (n * channels + c_begin + c) * g.in_size(), g,
                   cols + n * image_stride + c * g.kernel_size() * ld, ld);
    }
  });
}

template <class T>
void col2im_batch(const T* cols, int64_t image_stride, int64_t ld, int64_t batch, int64_t channels,
                  const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* grad_input) {
  const int64_t nc = c_end - c_begin;
  parallel_for(0, batch * nc, plane_grain(g), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int64_t n = p / nc, c = p % nc;
      fold_plane(cols + n * image_stride + c * g.kernel_size() * ld, ld, g,
                 grad_input + (n * channels + c_begin + c) * g.in_size());
    }
  });
}

#define TAPENET_INSTANTIATE_IM2COL(T)                                                                                \
  template void im2col<T>(const T*, const ConvGeometry&, int64_t, int64_t, T*, int64_t);                             \
  template void col2im<T>(const T*, int64_t, const ConvGeometry&, int64_t, int64_t, T*);                             \
  template void im2col_batch<T>(const T*, int64_t, int64_t, const ConvGeometry&, int64_t, int64_t, T*, int64_t,      \
                                int64_t);                                                                            \
  template void col2im_batch<T>(const T*, int64_t, int64_t, int64_t, int64_t, const ConvGeometry&, int64_t, int64_t, \
                                T*);
TAPENET_INSTANTIATE_IM2COL(float)
TAPENET_INSTANTIATE_IM2COL(double)
#undef TAPENET_INSTANTIATE_IM2COL

}  // namespace tapenet::kernels
