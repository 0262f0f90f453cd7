#include "framework/kernels/plane_simd.hpp"

#include <algorithm>
#include <utility>

namespace tapenet::kernels::plane {
namespace {

// ---- SIMD: GCC vector extensions ----
// The micro-kernels are written once over a vector of `Bytes` bytes and compiled twice: 32-byte
// vectors (one AVX register) for AVX2 + FMA, 16-byte vectors (one SSE register) for the baseline ISA.

template <class T, int Bytes>
struct Simd {
  typedef T type __attribute__((vector_size(Bytes)));
};
template <class T, int Bytes>
using Vec = typename Simd<T, Bytes>::type;

// Unaligned load and store. Vectors pass by reference: by value they would change the ABI between ISAs.
template <class V, class T>
[[gnu::always_inline]] inline void load(V& v, const T* p) {
  __builtin_memcpy(&v, p, sizeof v);
}
template <class V, class T>
[[gnu::always_inline]] inline void store(T* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof v);
}
// Sum of the lanes of v in a fixed pairwise order.
template <class T, class V>
[[gnu::always_inline]] inline T lane_total(const V& v) {
  T a[sizeof(V) / sizeof(T)];
  __builtin_memcpy(a, &v, sizeof v);
  return pairwise_total(a);
}

// The running maximum (best, arg) at one vector of positions meets the response r of channel `channel`:
// r wins when it is larger, or NaN while best is not (so the first NaN stays).
template <class T, class V>
[[gnu::always_inline]] inline void update_max(const V& r, T* best, T* arg, T channel) {
  V m, a;
  load(m, best);
  load(a, arg);
  const auto take = (m == m) & ((r > m) | (r != r));
  const V c = V{} + channel;
  store(best, take ? r : m);
  store(arg, take ? c : a);
}

enum class Mode { assign, accumulate, max };

// The rows kernel (RowsFn) over one vector width. Register block: M rows x NV vectors, as wide as the
// 16 vector registers allow (few rows get wide tiles, so that enough independent FMAs are in flight),
// then one vector at a time for the tail.
template <class T, int Bytes, int M, Mode Md>
[[gnu::always_inline]] inline void rows_kernel(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y,
                                               const int64_t* y_off, int64_t n, T* arg, T channel) {
  using V = Vec<T, Bytes>;
  constexpr int64_t L = Bytes / sizeof(T);
  constexpr int NV = 15 / (M + 1);  // M * NV accumulators + NV operands + 1 broadcast <= 16 registers
  const auto finish = [&](const V& r, int64_t m, int64_t at) {
    if constexpr (Md == Mode::max)
      update_max(r, y + y_off[m] + at, arg + y_off[m] + at, channel);
    else
      store(y + y_off[m] + at, r);
  };
  int64_t j = 0;
  for (; j + NV * L <= n; j += NV * L) {
    V acc[M * NV] = {};
    if constexpr (Md == Mode::accumulate)
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m)
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) load(acc[m * NV + v], y + y_off[m] + j + v * L);
    for (int64_t t = 0; t < K; ++t) {
      const T* bt = b + b_off[t] + j;
      V bv[NV];
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) load(bv[v], bt + v * L);
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m) {
        const T am = a[m * K + t];
#pragma GCC unroll 16
        for (int v = 0; v < NV; ++v) acc[m * NV + v] += am * bv[v];
      }
    }
#pragma GCC unroll 16
    for (int m = 0; m < M; ++m)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) finish(acc[m * NV + v], m, j + v * L);
  }
  for (; j < n; j += L) {
    V acc[M] = {};
    if constexpr (Md == Mode::accumulate)
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m) load(acc[m], y + y_off[m] + j);
    for (int64_t t = 0; t < K; ++t) {
      V bt;
      load(bt, b + b_off[t] + j);
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m) acc[m] += a[m * K + t] * bt;
    }
#pragma GCC unroll 16
    for (int m = 0; m < M; ++m) finish(acc[m], m, j);
  }
}

// The dot kernel (DotFn) over one vector width.
template <class T, int Bytes, int MO, int MK>
[[gnu::always_inline]] inline void dot_kernel(int64_t images, int64_t n, const T* g, int64_t g_stride,
                                              const int64_t* g_off, const T* x, int64_t x_stride, const int64_t* x_off,
                                              T* out) {
  using V = Vec<T, Bytes>;
  constexpr int64_t L = Bytes / sizeof(T);
  V acc[MO * MK] = {};
  for (int64_t i = 0; i < images; ++i) {
    const T* gr[MO];
    const T* xr[MK];
#pragma GCC unroll 8
    for (int mo = 0; mo < MO; ++mo) gr[mo] = g + i * g_stride + g_off[mo];
#pragma GCC unroll 8
    for (int mk = 0; mk < MK; ++mk) xr[mk] = x + i * x_stride + x_off[mk];
    for (int64_t j = 0; j < n; j += L) {
      V gv[MO];
#pragma GCC unroll 8
      for (int mo = 0; mo < MO; ++mo) load(gv[mo], gr[mo] + j);
#pragma GCC unroll 8
      for (int mk = 0; mk < MK; ++mk) {
        V xv;
        load(xv, xr[mk] + j);
#pragma GCC unroll 8
        for (int mo = 0; mo < MO; ++mo) acc[mo * MK + mk] += gv[mo] * xv;
      }
    }
  }
  for (int mo = 0; mo < MO; ++mo)
    for (int mk = 0; mk < MK; ++mk) out[mo * MK + mk] = lane_total<T>(acc[mo * MK + mk]);
}

// Each micro-kernel compiled for AVX2 + FMA (32-byte vectors) and for the baseline ISA (16-byte vectors).
template <class T, int M, Mode Md>
[[gnu::target("avx2,fma")]] void rows_avx2(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y,
                                           const int64_t* y_off, int64_t n, T* arg, T channel) {
  rows_kernel<T, 32, M, Md>(K, a, b, b_off, y, y_off, n, arg, channel);
}
template <class T, int M, Mode Md>
void rows_base(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, const int64_t* y_off, int64_t n, T* arg,
               T channel) {
  rows_kernel<T, 16, M, Md>(K, a, b, b_off, y, y_off, n, arg, channel);
}
template <class T, int MO, int MK>
[[gnu::target("avx2,fma")]] void dot_avx2(int64_t images, int64_t n, const T* g, int64_t g_stride, const int64_t* g_off,
                                          const T* x, int64_t x_stride, const int64_t* x_off, T* out) {
  dot_kernel<T, 32, MO, MK>(images, n, g, g_stride, g_off, x, x_stride, x_off, out);
}
template <class T, int MO, int MK>
void dot_base(int64_t images, int64_t n, const T* g, int64_t g_stride, const int64_t* g_off, const T* x,
              int64_t x_stride, const int64_t* x_off, T* out) {
  dot_kernel<T, 16, MO, MK>(images, n, g, g_stride, g_off, x, x_stride, x_off, out);
}

template <class T, bool Avx2>
MicroKernels<T> make_micro_kernels() {
  MicroKernels<T> k;
  [&]<int... I>(std::integer_sequence<int, I...>) {
    ((k.assign[I + 1] = Avx2 ? &rows_avx2<T, I + 1, Mode::assign> : &rows_base<T, I + 1, Mode::assign>), ...);
    ((k.accumulate[I + 1] = Avx2 ? &rows_avx2<T, I + 1, Mode::accumulate> : &rows_base<T, I + 1, Mode::accumulate>),
     ...);
    ((k.max[I + 1] = Avx2 ? &rows_avx2<T, I + 1, Mode::max> : &rows_base<T, I + 1, Mode::max>), ...);
  }
  (std::make_integer_sequence<int, kMaxRows>{});
  [&]<int... I>(std::integer_sequence<int, I...>) {
    constexpr int R = kMaxDotSourceRows;
    ((k.dot[I / R + 1][I % R + 1] = Avx2 ? &dot_avx2<T, I / R + 1, I % R + 1> : &dot_base<T, I / R + 1, I % R + 1>),
     ...);
  }
  (std::make_integer_sequence<int, kMaxDotGradRows * kMaxDotSourceRows>{});
  return k;
}

}  // namespace

template <class T>
const MicroKernels<T>& micro_kernels() {
  static const MicroKernels<T> k = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                                       ? make_micro_kernels<T, true>()
                                       : make_micro_kernels<T, false>();
  return k;
}

PlaneLayout::PlaneLayout(const ConvGeometry& geometry, int64_t in_channels, const std::vector<int64_t>& reader_begin,
                         std::vector<int64_t> weight_at, int64_t lanes)
    : g(geometry),
      reader_begin(reader_begin),
      weight_at(std::move(weight_at)),
      shifted(geometry.stride_h == 1 && geometry.stride_w == 1),
      C(in_channels),
      kk(g.kernel_size()),
      hw(g.out_size()),
      out_h(g.out_h()),
      out_w(g.out_w()) {
  const int64_t L = lanes;
  const int64_t Wp = g.in_w + 2 * g.pad_w, Hp = g.in_h + 2 * g.pad_h;
  grid_w = shifted ? Wp : out_w;
  n = round_up(out_h * grid_w, L);
  taps.resize(kk);
  for_each_tap(g, [&](const ConvTap& t) {
    taps[t.index] = shifted ? (t.h_offset + g.pad_h) * Wp + t.w_offset + g.pad_w : t.index * n;
  });
  // Shifted reads reach q + taps[t] < n + (Hp - out_h) Wp + (kw - 1) dilation_w.
  src_channel = shifted ? round_up(Hp * Wp + (g.kernel_w - 1) * g.dilation_w + L, L) : kk * n;
  for (int64_t t = 0; t < kk; ++t) col_rows.push_back(t * n);
}

template <class T>
void PlaneLayout::prepare_source(const T* image, T* src) const {
  for (int64_t c = 0; c < C; ++c) {
    if (!channel_used(c)) continue;
    T* dst = src + c * src_channel;
    if (shifted) {
      std::fill(dst, dst + src_channel, T(0));
      for (int64_t h = 0; h < g.in_h; ++h)
        std::copy_n(image + (c * g.in_h + h) * g.in_w, g.in_w, dst + (h + g.pad_h) * grid_w + g.pad_w);
    } else {
      im2col(image, g, c, c + 1, dst, n);
      for (int64_t k = 0; k < kk; ++k) std::fill(dst + k * n + hw, dst + (k + 1) * n, T(0));
    }
  }
}

template <class T>
std::vector<T> PlaneLayout::pair_panel(const T* w) const {
  std::vector<T> panel(pairs() * kk);
  for (int64_t r = 0; r < pairs(); ++r) std::copy_n(w + weight_at[r], kk, panel.data() + r * kk);
  return panel;
}

template <class T>
std::vector<T> PlaneLayout::column_panel(const T* w) const {
  std::vector<T> panel(pairs() * kk);
  for (int64_t c = 0; c < C; ++c) {
    const int64_t r0 = reader_begin[c], s = reader_begin[c + 1] - r0;
    for (int64_t k = 0; k < s; ++k)
      for (int64_t t = 0; t < kk; ++t) panel[r0 * kk + t * s + k] = w[weight_at[r0 + k] + t];
  }
  return panel;
}

template <class T>
void PlaneLayout::source_products(const RowsFn<T>* rows, const T* panel, const T* src, T* y, const int64_t* y_rows,
                                  std::type_identity_t<T>* arg) const {
  for (int64_t c = 0; c < C; ++c) {
    const int64_t r0 = reader_begin[c];
    for_each_block(reader_begin[c + 1] - r0, kMaxRows, [&](int64_t begin, int64_t size) {
      rows[size](kk, panel + (r0 + begin) * kk, src + c * src_channel, taps.data(), y, y_rows + r0 + begin, n, arg,
                 static_cast<T>(c));
    });
  }
}

template <class T>
void PlaneLayout::channel_columns(int64_t c, const T* panel, const T* G, const int64_t* g_rows, T* cols) const {
  const int64_t r0 = reader_begin[c], s = reader_begin[c + 1] - r0;
  const MicroKernels<T>& mk = micro_kernels<T>();
  for_each_block(kk, kMaxRows, [&](int64_t t0, int64_t size) {
    mk.assign[size](s, panel + r0 * kk + t0 * s, G, g_rows + r0, cols, col_rows.data() + t0, n, nullptr, T(0));
  });
}

template <class T>
void PlaneLayout::weight_gradient(int64_t images, const T* G, int64_t g_image, const int64_t* g_rows, const T* src,
                                  T* part) const {
  const MicroKernels<T>& mk = micro_kernels<T>();
  for (int64_t c = 0; c < C; ++c) {
    const int64_t r0 = reader_begin[c];
    for_each_block(reader_begin[c + 1] - r0, kMaxDotGradRows, [&](int64_t ob, int64_t os) {
      for_each_block(kk, kMaxDotSourceRows, [&](int64_t k0, int64_t ks) {
        T out[kMaxDotGradRows * kMaxDotSourceRows];
        mk.dot[os][ks](images, n, G, g_image, g_rows + r0 + ob, src + c * src_channel, src_size(), taps.data() + k0,
                       out);
        for (int64_t mo = 0; mo < os; ++mo) std::copy_n(out + mo * ks, ks, part + (r0 + ob + mo) * kk + k0);
      });
    });
  }
}

template <class T>
void PlaneLayout::add_partials(const T* partials, int64_t blocks, int64_t outputs, T* gw, T* gb) const {
  for (int64_t blk = 0; blk < blocks && (gw || gb); ++blk) {
    const T* part = partials + blk * (pairs() * kk + outputs);
    if (gw)
      for (int64_t r = 0; r < pairs(); ++r)
        for (int64_t t = 0; t < kk; ++t) gw[weight_at[r] + t] += part[r * kk + t];
    if (gb)
      for (int64_t o = 0; o < outputs; ++o) gb[o] += part[pairs() * kk + o];
  }
}

#define TAPENET_PLANE_INSTANTIATE(T)                                                                            \
  template const MicroKernels<T>& micro_kernels<T>();                                                          \
  template void PlaneLayout::prepare_source<T>(const T*, T*) const;                                            \
  template std::vector<T> PlaneLayout::pair_panel<T>(const T*) const;                                          \
  template std::vector<T> PlaneLayout::column_panel<T>(const T*) const;                                        \
  template void PlaneLayout::source_products<T>(const RowsFn<T>*, const T*, const T*, T*, const int64_t*, T*)   \
      const;                                                                                                   \
  template void PlaneLayout::channel_columns<T>(int64_t, const T*, const T*, const int64_t*, T*) const;        \
  template void PlaneLayout::weight_gradient<T>(int64_t, const T*, int64_t, const int64_t*, const T*, T*) const; \
  template void PlaneLayout::add_partials<T>(const T*, int64_t, int64_t, T*, T*) const;
TAPENET_PLANE_INSTANTIATE(float)
TAPENET_PLANE_INSTANTIATE(double)
#undef TAPENET_PLANE_INSTANTIATE

}  // namespace tapenet::kernels::plane
