#include "framework/kernels/shared_conv.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Elements of routed gradients and sources per weight-gradient block that the plan aims for (the
// block's buffers stay in L2), and at most this many images per block.
constexpr int64_t kBlockScratchBudget = 1 << 17;
constexpr int64_t kMaxImagesPerBlock = 8;
// Largest register blocks of the micro-kernels: rows (rows kernel), pairs x taps (dot kernel).
constexpr int kMaxRows = 6;
constexpr int kMaxDotPairs = 3;
constexpr int kMaxDotTaps = 4;

// ---- SIMD: GCC vector extensions ----
// The micro-kernels are written once over a vector of `Bytes` bytes and compiled twice: 32-byte
// vectors (one AVX register) for AVX2 + FMA, 16-byte vectors (one SSE register) for the baseline ISA.
// Buffers are laid out in units of kLanes = 32 bytes, a multiple of both.

template <class T, int Bytes>
struct Simd {
  typedef T type __attribute__((vector_size(Bytes)));
};
template <class T, int Bytes>
using Vec = typename Simd<T, Bytes>::type;
template <class T>
constexpr int64_t kLanes = 32 / sizeof(T);

// Unaligned load and store. Vectors pass by reference: by value they would change the ABI between ISAs.
template <class V, class T>
[[gnu::always_inline]] inline void load(V& v, const T* p) {
  __builtin_memcpy(&v, p, sizeof v);
}
template <class V, class T>
[[gnu::always_inline]] inline void store(T* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof v);
}
// Sum of a[0, N) in a fixed pairwise order (overwrites a).
template <class T, int64_t N>
[[gnu::always_inline]] inline T pairwise_total(T (&a)[N]) {
  for (int64_t w = N / 2; w >= 1; w /= 2)
    for (int64_t i = 0; i < w; ++i) a[i] += a[i + w];
  return a[0];
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

// Rows kernel: for the M rows m < M, at columns [0, n) (n a multiple of the vector's lanes):
//   r_m = sum_{t < K} a[m * K + t] * (b + b_off[t]),  then
//   Max:  update_max(r_m, y + row[m], arg + row[m], channel)   (the forward's running maximum)
//   else: y + row[m] = r_m                                      (assigns; arg and channel unused)
// Register block: M rows x NV vectors, as wide as the 16 vector registers allow (few rows get wide
// tiles, so that enough independent FMAs are in flight), then one vector at a time for the tail.
template <class T, int Bytes, int M, bool Max>
[[gnu::always_inline]] inline void rows_kernel(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, T* arg,
                                               const int64_t* row, T channel, int64_t n) {
  using V = Vec<T, Bytes>;
  constexpr int64_t L = Bytes / sizeof(T);
  constexpr int NV = 15 / (M + 1);  // M * NV accumulators + NV operands + 1 broadcast <= 16 registers
  const auto finish = [&](const V& r, int64_t m, int64_t at) {
    if constexpr (Max)
      update_max(r, y + row[m] + at, arg + row[m] + at, channel);
    else
      store(y + row[m] + at, r);
  };
  int64_t j = 0;
  for (; j + NV * L <= n; j += NV * L) {
    V acc[M * NV] = {};
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

// Dot kernel: out[mo * MK + mk] = sum over images i < images and columns j < n of
//   g[i * g_stride + g_off[mo] + j] * x[i * x_stride + x_off[mk] + j]
// (MO routed-gradient rows against MK source rows; n a multiple of the vector's lanes).
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
template <class T, int M, bool Max>
[[gnu::target("avx2,fma")]] void rows_avx2(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, T* arg,
                                           const int64_t* row, T channel, int64_t n) {
  rows_kernel<T, 32, M, Max>(K, a, b, b_off, y, arg, row, channel, n);
}
template <class T, int M, bool Max>
void rows_base(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, T* arg, const int64_t* row, T channel,
               int64_t n) {
  rows_kernel<T, 16, M, Max>(K, a, b, b_off, y, arg, row, channel, n);
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
template <class T>
using RowsFn = void (*)(int64_t, const T*, const T*, const int64_t*, T*, T*, const int64_t*, T, int64_t);
template <class T>
using DotFn = void (*)(int64_t, int64_t, const T*, int64_t, const int64_t*, const T*, int64_t, const int64_t*, T*);

// The micro-kernels of one ISA, indexed by their block sizes.
template <class T>
struct MicroKernels {
  RowsFn<T> max[kMaxRows + 1] = {};   // rows kernel updating the running maximum
  RowsFn<T> rows[kMaxRows + 1] = {};  // rows kernel assigning
  DotFn<T> dot[kMaxDotPairs + 1][kMaxDotTaps + 1] = {};
};

template <class T, bool Avx2>
MicroKernels<T> make_micro_kernels() {
  MicroKernels<T> k;
  [&]<int... I>(std::integer_sequence<int, I...>) {
    ((k.max[I + 1] = Avx2 ? &rows_avx2<T, I + 1, true> : &rows_base<T, I + 1, true>), ...);
    ((k.rows[I + 1] = Avx2 ? &rows_avx2<T, I + 1, false> : &rows_base<T, I + 1, false>), ...);
  }
  (std::make_integer_sequence<int, kMaxRows>{});
  [&]<int... I>(std::integer_sequence<int, I...>) {
    constexpr int R = kMaxDotTaps;
    ((k.dot[I / R + 1][I % R + 1] = Avx2 ? &dot_avx2<T, I / R + 1, I % R + 1> : &dot_base<T, I / R + 1, I % R + 1>),
     ...);
  }
  (std::make_integer_sequence<int, kMaxDotPairs * kMaxDotTaps>{});
  return k;
}

// The micro-kernels for this CPU, chosen once.
template <class T>
const MicroKernels<T>& micro_kernels() {
  static const MicroKernels<T> k = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                                       ? make_micro_kernels<T, true>()
                                       : make_micro_kernels<T, false>();
  return k;
}

// ---- drivers ----

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// Splits [0, n) into ceil(n / max_size) consecutive blocks of nearly equal size; calls f(begin, size).
template <class F>
void for_each_block(int64_t n, int64_t max_size, F&& f) {
  const int64_t count = (n + max_size - 1) / max_size;
  for (int64_t b = 0, begin = 0; b < count; ++b) {
    const int64_t size = n / count + (b < n % count ? 1 : 0);
    f(begin, size);
    begin += size;
  }
}

// A per-thread buffer of at least n elements, reused across calls (contents unspecified).
template <class T>
T* scratch(int64_t n) {
  thread_local std::vector<T> buffer;
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
  return buffer.data();
}

// How one image is laid out for the micro-kernels. The input of channel c is a "source" whose row for
// tap t starts at src + c * src_channel + taps[t], read at the n columns of an output grid with rows
// grid_w apart (columns ow >= out_w of a grid row are padding, computed and dropped):
// - shifted (stride 1): the zero-padded image itself, rows Wp = W + 2 pad_w apart, and
//   taps[t] = i Wp + j: no unfolding at all; the grid is out_h x Wp.
// - unfolded (other strides): im2col rows, taps[t] = t * n; the grid is out_h x out_w.
// The routed gradient G holds one row of n per pair, laid out on the same grid (zeros in the padding
// columns and beyond the grid), so a weight gradient is a dot product of a G row with a source row, and
// the input gradient of channel c is the adjoint of its source: rows cols[t] = sum over its pairs of
// w_o[t] G_(o,c), each added back at taps[t] (shifted: into the padded plane, whose interior is the
// gradient; unfolded: col2im).
template <class T>
struct Layout {
  const SharedMaxPlan& p;
  const ConvGeometry& g;
  bool shifted;
  int64_t C, O, kk, hw, out_h, out_w, grid_w, n, src_channel;
  std::vector<int64_t> taps;

  explicit Layout(const SharedMaxPlan& plan)
      : p(plan),
        g(plan.geometry),
        shifted(plan.geometry.stride_h == 1 && plan.geometry.stride_w == 1),
        C(plan.in_channels),
        O(plan.out_channels),
        kk(g.kernel_size()),
        hw(g.out_size()),
        out_h(g.out_h()),
        out_w(g.out_w()) {
    constexpr int64_t L = kLanes<T>;
    const int64_t Wp = g.in_w + 2 * g.pad_w, Hp = g.in_h + 2 * g.pad_h;
    grid_w = shifted ? Wp : out_w;
    n = round_up(out_h * grid_w, L);
    taps.resize(kk);
    for_each_tap(g, [&](const ConvTap& t) {
      taps[t.index] = shifted ? (t.h_offset + g.pad_h) * Wp + t.w_offset + g.pad_w : t.index * n;
    });
    // Shifted reads reach q + taps[t] < n + (Hp - out_h) Wp + kw - 1.
    src_channel = shifted ? round_up(Hp * Wp + g.kernel_w - 1 + L, L) : kk * n;
  }

  int64_t src_size() const { return C * src_channel; }

  // The source of the used channels of one image [C, in_h, in_w].
  void prepare_source(const T* image, T* src) const {
    for (int64_t c = 0; c < C; ++c) {
      if (!p.channel_used(c)) continue;
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

  // G [pairs, n] of one image: gy [O, out_h, out_w] routed to the pair of the winning channel. The rows
  // of one output are cleared just before its scatter, while they are in L1.
  void route_gradient(const T* gy, const int32_t* argmax, T* G) const {
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t c = 0; c < C; ++c)
        if (p.pair_of[o * C + c] >= 0) std::fill_n(G + p.pair_of[o * C + c] * n, n, T(0));
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const int64_t q = (o * out_h + oh) * out_w + ow;
          G[p.pair_of[o * C + argmax[q]] * n + oh * grid_w + ow] = gy[q];
        }
    }
  }
};

template <class T>
void forward_impl(const T* x, const T* w, const T* bias, T* y, int32_t* argmax, const SharedMaxPlan& p) {
  const MicroKernels<T>& mk = micro_kernels<T>();
  const Layout<T> lay(p);
  const int64_t C = lay.C, O = lay.O, kk = lay.kk, n = lay.n, hw = lay.hw;
  // panel[r * kk + t] = w[readers[r], t]; row[r] = readers[r] * n: the running maximum of pair r's output.
  std::vector<T> panel(p.pairs() * kk);
  std::vector<int64_t> row(p.pairs());
  for (int64_t r = 0; r < p.pairs(); ++r) {
    std::copy_n(w + p.readers[r] * kk, kk, panel.data() + r * kk);
    row[r] = p.readers[r] * n;
  }
  const int64_t work = std::max<int64_t>(1, p.pairs() * kk * n);
  parallel_for(0, p.batch, std::max<int64_t>(1, (1 << 16) / work), [&](int64_t b, int64_t e) {
    T* src = scratch<T>(lay.src_size() + 2 * O * n);
    T* best = src + lay.src_size();
    T* arg = best + O * n;
    for (int64_t img = b; img < e; ++img) {
      lay.prepare_source(x + img * C * lay.g.in_size(), src);
      std::fill(best, best + O * n, -std::numeric_limits<T>::infinity());
      for (int64_t o = 0; o < O; ++o) std::fill(arg + o * n, arg + (o + 1) * n, static_cast<T>(p.first_channel[o]));
      for (int64_t c = 0; c < C; ++c) {  // channels in ascending order: ties keep the first
        const int64_t r0 = p.reader_begin[c];
        for_each_block(p.reader_begin[c + 1] - r0, kMaxRows, [&](int64_t begin, int64_t size) {
          mk.max[size](kk, panel.data() + (r0 + begin) * kk, src + c * lay.src_channel, lay.taps.data(), best, arg,
                       row.data() + r0 + begin, static_cast<T>(c), n);
        });
      }
      for (int64_t o = 0; o < O; ++o)
        for (int64_t oh = 0; oh < lay.out_h; ++oh) {
          const T* bo = best + o * n + oh * lay.grid_w;
          const T* ao = arg + o * n + oh * lay.grid_w;
          T* yo = y + (img * O + o) * hw + oh * lay.out_w;
          int32_t* io = argmax + (img * O + o) * hw + oh * lay.out_w;
          for (int64_t ow = 0; ow < lay.out_w; ++ow) {
            yo[ow] = bias ? bo[ow] + bias[o] : bo[ow];
            io[ow] = static_cast<int32_t>(ao[ow]);
          }
        }
    }
  });
}

// gx of one image from its G, per used channel c: cols[t] = sum over the pairs (o, c) of w_o[t] G_(o,c)
// (the rows kernel, one row per tap), folded back into gx: shifted, cols[t] is added to the padded plane
// at taps[t] and the plane's interior to gx; unfolded, col2im. work holds kk * n + src_channel elements.
// Accumulates into gx.
template <class T>
void input_gradient(const Layout<T>& lay, const MicroKernels<T>& mk, const std::vector<T>& panel,
                    const std::vector<int64_t>& g_rows, const std::vector<int64_t>& col_rows, const T* G, T* work,
                    T* gx) {
  const SharedMaxPlan& p = lay.p;
  const ConvGeometry& g = lay.g;
  const int64_t kk = lay.kk, n = lay.n;
  T* cols = work;
  T* plane = work + kk * n;
  for (int64_t c = 0; c < lay.C; ++c) {
    const int64_t r0 = p.reader_begin[c], s = p.reader_begin[c + 1] - r0;
    if (s == 0) continue;
    for_each_block(kk, kMaxRows, [&](int64_t t0, int64_t size) {
      mk.rows[size](s, panel.data() + r0 * kk + t0 * s, G, g_rows.data() + r0, cols, nullptr, col_rows.data() + t0,
                    T(0), n);
    });
    if (!lay.shifted) {
      col2im(cols, n, g, c, c + 1, gx);
      continue;
    }
    std::fill(plane, plane + lay.src_channel, T(0));
    for (int64_t t = 0; t < kk; ++t) {
      const T* from = cols + t * n;
      T* to = plane + lay.taps[t];
      for (int64_t j = 0; j < n; ++j) to[j] += from[j];
    }
    for (int64_t h = 0; h < g.in_h; ++h) {
      const T* from = plane + (h + g.pad_h) * lay.grid_w + g.pad_w;
      T* to = gx + (c * g.in_h + h) * g.in_w;
      for (int64_t v = 0; v < g.in_w; ++v) to[v] += from[v];
    }
  }
}

template <class T>
void backward_impl(const T* gy, const int32_t* argmax, const T* x, const T* w, T* gx, T* gw, T* gb,
                   const SharedMaxPlan& p) {
  const MicroKernels<T>& mk = micro_kernels<T>();
  const Layout<T> lay(p);
  const int64_t C = lay.C, O = lay.O, kk = lay.kk, n = lay.n, hw = lay.hw, in_size = lay.g.in_size();
  const int64_t pairs = p.pairs(), ipb = p.images_per_block;
  const int64_t blocks = (p.batch + ipb - 1) / ipb;
  // panel[r0 * kk + t * s + k] = w[readers[r0 + k], t] for the pairs r0 = reader_begin[c] .. r0 + s of
  // each channel c; g_rows[r] = r * n: the row of pair r in G; col_rows[t] = t * n.
  std::vector<T> panel(gx ? pairs * kk : 0);
  if (gx)
    for (int64_t c = 0; c < C; ++c) {
      const int64_t r0 = p.reader_begin[c], s = p.reader_begin[c + 1] - r0;
      for (int64_t k = 0; k < s; ++k)
        for (int64_t t = 0; t < kk; ++t) panel[r0 * kk + t * s + k] = w[p.readers[r0 + k] * kk + t];
    }
  std::vector<int64_t> g_rows(pairs), col_rows(kk);
  for (int64_t r = 0; r < pairs; ++r) g_rows[r] = r * n;
  for (int64_t t = 0; t < kk; ++t) col_rows[t] = t * n;
  // Per block: the weight-gradient partial [pairs * kk] then the bias partial [O].
  const int64_t partial_size = pairs * kk + O;
  std::vector<T> partials(gw || gb ? blocks * partial_size : 0);
  parallel_for(0, blocks, 1, [&](int64_t b, int64_t e) {
    const int64_t g_image = pairs * n, src_image = lay.src_size();
    T* Gb = scratch<T>(ipb * (g_image + src_image) + kk * n + lay.src_channel);
    T* srcb = Gb + ipb * g_image;
    T* work = srcb + ipb * src_image;
    for (int64_t blk = b; blk < e; ++blk) {
      const int64_t n0 = blk * ipb, nb = std::min(ipb, p.batch - n0);
      for (int64_t i = 0; i < nb; ++i) {
        if (gx || gw) lay.route_gradient(gy + (n0 + i) * O * hw, argmax + (n0 + i) * O * hw, Gb + i * g_image);
        if (gw) lay.prepare_source(x + (n0 + i) * C * in_size, srcb + i * src_image);
        if (gx) input_gradient(lay, mk, panel, g_rows, col_rows, Gb + i * g_image, work, gx + (n0 + i) * C * in_size);
      }
      T* part = gw || gb ? partials.data() + blk * partial_size : nullptr;
      if (gw)
        for (int64_t c = 0; c < C; ++c) {  // gw_(o,c)[t] = <G_(o,c), src_c[t]> over the block's images
          const int64_t r0 = p.reader_begin[c];
          for_each_block(p.reader_begin[c + 1] - r0, kMaxDotPairs, [&](int64_t ob, int64_t os) {
            for_each_block(kk, kMaxDotTaps, [&](int64_t k0, int64_t ks) {
              T out[kMaxDotPairs * kMaxDotTaps];
              mk.dot[os][ks](nb, n, Gb, g_image, g_rows.data() + r0 + ob, srcb + c * lay.src_channel, src_image,
                             lay.taps.data() + k0, out);
              for (int64_t mo = 0; mo < os; ++mo) std::copy_n(out + mo * ks, ks, part + (r0 + ob + mo) * kk + k0);
            });
          });
        }
      if (gb)
        for (int64_t o = 0; o < O; ++o) {  // gb[o] += sum of gy[o], one lane per column
          T acc[kLanes<T>] = {};
          for (int64_t i = 0; i < nb; ++i) {
            const T* go = gy + ((n0 + i) * O + o) * hw;
            int64_t q = 0;
            for (; q + kLanes<T> <= hw; q += kLanes<T>)
              for (int64_t l = 0; l < kLanes<T>; ++l) acc[l] += go[q + l];
            for (int64_t l = 0; q + l < hw; ++l) acc[l] += go[q + l];
          }
          part[pairs * kk + o] = pairwise_total(acc);
        }
    }
  });
  // Blocks summed in order: the result does not depend on how the blocks were spread over threads.
  for (int64_t blk = 0; blk < blocks && (gw || gb); ++blk) {
    const T* part = partials.data() + blk * partial_size;
    if (gw)
      for (int64_t r = 0; r < pairs; ++r)
        for (int64_t t = 0; t < kk; ++t) gw[p.readers[r] * kk + t] += part[r * kk + t];
    if (gb)
      for (int64_t o = 0; o < O; ++o) gb[o] += part[pairs * kk + o];
  }
}

}  // namespace

SharedMaxPlan plan_shared_max_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                     const std::vector<bool>& connected, const ConvGeometry& geometry) {
  SharedMaxPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.geometry = geometry;
  p.pair_of.assign(out_channels * in_channels, -1);
  p.first_channel.assign(out_channels, -1);
  p.reader_begin.assign(in_channels + 1, 0);
  for (int64_t c = 0; c < in_channels; ++c) {
    for (int64_t o = 0; o < out_channels; ++o)
      if (connected[o * in_channels + c]) {
        p.pair_of[o * in_channels + c] = p.pairs();
        p.readers.push_back(o);
        if (p.first_channel[o] < 0) p.first_channel[o] = c;
      }
    p.reader_begin[c + 1] = p.pairs();
  }
  // Per image: a routed-gradient row per pair and a source per channel, each about a padded plane.
  const int64_t padded = (geometry.in_h + 2 * geometry.pad_h) * (geometry.in_w + 2 * geometry.pad_w);
  const int64_t per_image = std::max<int64_t>(1, (p.pairs() + in_channels) * padded);
  p.images_per_block = std::clamp<int64_t>(kBlockScratchBudget / per_image, 1, kMaxImagesPerBlock);
  return p;
}

void shared_max_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               std::vector<int32_t>& argmax, const SharedMaxPlan& plan) {
  argmax.resize(static_cast<std::size_t>(output.numel()));
  dispatch_floating(input.dtype(), "shared_max_conv2d", [&]<class T>() {
    forward_impl(input.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr, output.data<T>(),
                 argmax.data(), plan);
  });
}

void shared_max_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                const std::vector<int32_t>& argmax, Tensor* grad_input, Tensor* grad_weight,
                                Tensor* grad_bias, const SharedMaxPlan& plan) {
  if (!grad_input && !grad_weight && !grad_bias) return;
  dispatch_floating(grad_output.dtype(), "shared_max_conv2d backward", [&]<class T>() {
    backward_impl(grad_output.data<T>(), argmax.data(), input.data<T>(), weight.data<T>(),
                  grad_input ? grad_input->data<T>() : nullptr, grad_weight ? grad_weight->data<T>() : nullptr,
                  grad_bias ? grad_bias->data<T>() : nullptr, plan);
  });
}

}  // namespace tapenet::kernels
