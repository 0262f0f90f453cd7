#include "framework/kernels/connection_conv.hpp"

#include <algorithm>
#include <utility>

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Elements of source buffers per weight-gradient block that the plan aims for (the block's buffers
// stay in L2), and at most this many images per block (fewer images = more blocks to spread).
constexpr int64_t kBlockScratchBudget = 1 << 17;
constexpr int64_t kMaxImagesPerBlock = 8;
// Largest register blocks of the micro-kernels: rows (rows kernel), outputs x taps (dot kernel). The
// dot kernel keeps 12 of the 16 vector registers as accumulators.
constexpr int kMaxRows = 6;
constexpr int kMaxDotOutputs = 3;
constexpr int kMaxDotRows = 4;

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

// Rows kernel: for the M rows y + y_off[m] (m < M), columns [0, n) (n a multiple of the vector's lanes):
//   y_m (= or +=) sum_{t < K} a[m * K + t] * (b + b_off[t])
// Register block: M rows x NV vectors, as wide as the 16 vector registers allow (few rows get wide
// tiles, so that enough independent FMAs are in flight), then one vector at a time for the tail.
template <class T, int Bytes, int M>
[[gnu::always_inline]] inline void rows_kernel(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y,
                                               const int64_t* y_off, int64_t n, bool assign) {
  using V = Vec<T, Bytes>;
  constexpr int64_t L = Bytes / sizeof(T);
  constexpr int NV = 15 / (M + 1);  // M * NV accumulators + NV operands + 1 broadcast <= 16 registers
  int64_t j = 0;
  for (; j + NV * L <= n; j += NV * L) {
    V acc[M * NV] = {};
    if (!assign)
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
      for (int v = 0; v < NV; ++v) store(y + y_off[m] + j + v * L, acc[m * NV + v]);
  }
  for (; j < n; j += L) {
    V acc[M] = {};
    if (!assign)
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m) load(acc[m], y + y_off[m] + j);
    for (int64_t t = 0; t < K; ++t) {
      V bt;
      load(bt, b + b_off[t] + j);
#pragma GCC unroll 16
      for (int m = 0; m < M; ++m) acc[m] += a[m * K + t] * bt;
    }
#pragma GCC unroll 16
    for (int m = 0; m < M; ++m) store(y + y_off[m] + j, acc[m]);
  }
}

// Dot kernel: out[mo * MK + mk] = sum over images i < images and columns j < n of
//   g[i * g_stride + g_off[mo] + j] * x[i * x_stride + x_off[mk] + j]
// (MO gradient rows against MK source rows; n a multiple of the vector's lanes).
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
template <class T, int M>
[[gnu::target("avx2,fma")]] void rows_avx2(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y,
                                           const int64_t* y_off, int64_t n, bool assign) {
  rows_kernel<T, 32, M>(K, a, b, b_off, y, y_off, n, assign);
}
template <class T, int M>
void rows_base(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, const int64_t* y_off, int64_t n,
               bool assign) {
  rows_kernel<T, 16, M>(K, a, b, b_off, y, y_off, n, assign);
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
using RowsFn = void (*)(int64_t, const T*, const T*, const int64_t*, T*, const int64_t*, int64_t, bool);
template <class T>
using DotFn = void (*)(int64_t, int64_t, const T*, int64_t, const int64_t*, const T*, int64_t, const int64_t*, T*);

// The micro-kernels of one ISA, indexed by their block sizes.
template <class T>
struct MicroKernels {
  RowsFn<T> rows[kMaxRows + 1] = {};
  DotFn<T> dot[kMaxDotOutputs + 1][kMaxDotRows + 1] = {};
};

template <class T, bool Avx2>
MicroKernels<T> make_micro_kernels() {
  MicroKernels<T> k;
  [&]<int... I>(std::integer_sequence<int, I...>) {
    ((k.rows[I + 1] = Avx2 ? &rows_avx2<T, I + 1> : &rows_base<T, I + 1>), ...);
  }
  (std::make_integer_sequence<int, kMaxRows>{});
  [&]<int... I>(std::integer_sequence<int, I...>) {
    constexpr int R = kMaxDotRows;
    ((k.dot[I / R + 1][I % R + 1] = Avx2 ? &dot_avx2<T, I / R + 1, I % R + 1> : &dot_base<T, I / R + 1, I % R + 1>),
     ...);
  }
  (std::make_integer_sequence<int, kMaxDotOutputs * kMaxDotRows>{});
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

// How one image is laid out for the micro-kernels. Both modes see the input of channel c as a
// "source" whose row for tap t starts at src + c * src_channel + taps[t], read at the n columns of an
// output grid with rows grid_w apart (columns ow >= out_w of a grid row are padding, computed and
// dropped):
// - shifted (stride 1): the zero-padded image itself, rows Wp = W + 2 pad_w apart, and
//   taps[t] = i dilation_h Wp + j dilation_w: no unfolding at all; the grid is out_h x Wp.
// - unfolded (any stride): im2col rows, taps[t] = t * n; the grid is out_h x out_w.
// The output gradient is laid out on the same grid ("G": zeros in the padding columns and in a
// margin before the grid), so a weight gradient is a dot product of G rows with source rows.
template <class T>
struct Layout {
  const ConnectionConvPlan& p;
  const ConvGeometry& g;
  bool shifted;
  int64_t C, Co, kk, hw, out_h, out_w, grid_w, n, src_channel, margin, gs, gx_begin, gx_n;
  std::vector<int64_t> taps, back_taps;  // taps[t]; -taps[t] (shifted input gradient)
  std::vector<int64_t> out_rows;         // readers[r] * n: rows of the per-image output buffer
  std::vector<int64_t> g_rows;           // readers[r] * gs + margin: rows of G
  std::vector<int64_t> gx_rows;          // shifted: inputs[r] * gx_n; unfolded: k * n

  explicit Layout(const ConnectionConvPlan& plan)
      : p(plan),
        g(plan.geometry),
        shifted(plan.geometry.stride_h == 1 && plan.geometry.stride_w == 1),
        C(plan.in_channels),
        Co(plan.out_channels),
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
    if (shifted) {
      // Reads reach q + taps[t] < n + (Hp - out_h) Wp + (kw - 1) dilation_w.
      src_channel = round_up(Hp * Wp + (g.kernel_w - 1) * g.dilation_w + L, L);
      margin = taps.back();
      gx_begin = g.pad_h * Wp;
      gx_n = round_up(g.in_h * Wp, L);
    } else {
      src_channel = kk * n;
      margin = 0;
      gx_begin = 0;
      gx_n = n;
    }
    gs = round_up(margin + std::max(gx_begin + gx_n, n), L);
    for (int64_t t : taps) back_taps.push_back(-t);
    for (int64_t o : p.readers) {
      out_rows.push_back(o * n);
      g_rows.push_back(o * gs + margin);
    }
    if (shifted)
      for (int64_t c : p.inputs) gx_rows.push_back(c * gx_n);
    else
      for (int64_t k = 0; k < kk; ++k) gx_rows.push_back(k * n);
  }

  int64_t src_size() const { return C * src_channel; }

  // The source of the used channels of one image [C, in_h, in_w].
  void prepare_source(const T* image, T* src) const {
    for (int64_t c = 0; c < C; ++c) {
      if (!p.channel_used(c)) continue;
      T* dst = src + c * src_channel;
      if (shifted) {
        const int64_t Wp = grid_w;
        std::fill(dst, dst + src_channel, T(0));
        for (int64_t h = 0; h < g.in_h; ++h)
          std::copy_n(image + (c * g.in_h + h) * g.in_w, g.in_w, dst + (h + g.pad_h) * Wp + g.pad_w);
      } else {
        im2col(image, g, c, c + 1, dst, n);
        for (int64_t k = 0; k < kk; ++k) std::fill(dst + k * n + hw, dst + (k + 1) * n, T(0));
      }
    }
  }

  // G [Co, gs] of one image's output gradient [Co, out_h, out_w].
  void prepare_gradient(const T* gy, T* G) const {
    std::fill(G, G + Co * gs, T(0));
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t oh = 0; oh < out_h; ++oh)
        std::copy_n(gy + (o * out_h + oh) * out_w, out_w, G + o * gs + margin + oh * grid_w);
  }
};

template <class T>
void forward_impl(const T* x, const T* w, const T* bias, T* y, const ConnectionConvPlan& p) {
  const MicroKernels<T>& mk = micro_kernels<T>();
  const Layout<T> lay(p);
  const int64_t C = lay.C, Co = lay.Co, kk = lay.kk, n = lay.n;
  // panel[r * kk + t] = W[readers[r], c, t] for the readers r of each channel c.
  std::vector<T> panel(p.readers.size() * kk);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t r = p.reader_begin[c]; r < p.reader_begin[c + 1]; ++r)
      std::copy_n(w + (p.readers[r] * C + c) * kk, kk, panel.data() + r * kk);
  const int64_t work = std::max<int64_t>(1, p.connections() * kk * n);
  parallel_for(0, p.batch, std::max<int64_t>(1, (1 << 16) / work), [&](int64_t b, int64_t e) {
    T* src = scratch<T>(lay.src_size() + Co * n);
    T* out = src + lay.src_size();
    for (int64_t img = b; img < e; ++img) {
      lay.prepare_source(x + img * C * lay.g.in_size(), src);
      for (int64_t o = 0; o < Co; ++o) std::fill(out + o * n, out + (o + 1) * n, bias ? bias[o] : T(0));
      for (int64_t c = 0; c < C; ++c) {  // y[S_c] += W[S_c, c] x source_c
        const int64_t r0 = p.reader_begin[c];
        for_each_block(p.reader_begin[c + 1] - r0, kMaxRows, [&](int64_t begin, int64_t size) {
          mk.rows[size](kk, panel.data() + (r0 + begin) * kk, src + c * lay.src_channel, lay.taps.data(), out,
                        lay.out_rows.data() + r0 + begin, n, false);
        });
      }
      for (int64_t o = 0; o < Co; ++o)
        for (int64_t oh = 0; oh < lay.out_h; ++oh)
          std::copy_n(out + o * n + oh * lay.grid_w, lay.out_w, y + ((img * Co + o) * lay.out_h + oh) * lay.out_w);
    }
  });
}

// gx of one image from its G: shifted mode gathers per output o, gx_pad[inputs_of(o)] += W[o, .] * G[o]
// shifted back by each tap; unfolded mode forms gcols_c = W[S_c, c]^T x G[S_c] and folds it (col2im).
template <class T>
void input_gradient(const Layout<T>& lay, const MicroKernels<T>& mk, const std::vector<T>& panel, const T* G, T* work,
                    T* gx) {
  const ConnectionConvPlan& p = lay.p;
  const ConvGeometry& g = lay.g;
  const int64_t C = lay.C, kk = lay.kk;
  if (lay.shifted) {
    std::fill(work, work + C * lay.gx_n, T(0));
    for (int64_t o = 0; o < lay.Co; ++o) {
      const int64_t i0 = p.input_begin[o];
      for_each_block(p.input_begin[o + 1] - i0, kMaxRows, [&](int64_t begin, int64_t size) {
        mk.rows[size](kk, panel.data() + (i0 + begin) * kk, G + o * lay.gs + lay.margin + lay.gx_begin,
                      lay.back_taps.data(), work, lay.gx_rows.data() + i0 + begin, lay.gx_n, false);
      });
    }
    for (int64_t c = 0; c < C; ++c) {
      if (!p.channel_used(c)) continue;
      for (int64_t h = 0; h < g.in_h; ++h) {
        const T* src = work + c * lay.gx_n + h * lay.grid_w + g.pad_w;
        T* dst = gx + (c * g.in_h + h) * g.in_w;
        for (int64_t v = 0; v < g.in_w; ++v) dst[v] += src[v];
      }
    }
    return;
  }
  for (int64_t c = 0; c < C; ++c) {
    const int64_t r0 = p.reader_begin[c], s = p.reader_begin[c + 1] - r0;
    if (s == 0) continue;
    for_each_block(kk, kMaxRows, [&](int64_t k0, int64_t size) {
      mk.rows[size](s, panel.data() + r0 * kk + k0 * s, G, lay.g_rows.data() + r0, work + c * kk * lay.n,
                    lay.gx_rows.data() + k0, lay.n, true);
    });
    col2im(work + c * kk * lay.n, lay.n, g, c, c + 1, gx);
  }
}

template <class T>
void backward_impl(const T* gy, const T* x, const T* w, T* gx, T* gw, T* gb, const ConnectionConvPlan& p) {
  const MicroKernels<T>& mk = micro_kernels<T>();
  const Layout<T> lay(p);
  const int64_t C = lay.C, Co = lay.Co, kk = lay.kk, n = lay.n, in_size = lay.g.in_size();
  const int64_t conn = p.connections(), ipb = p.images_per_block;
  const int64_t blocks = (p.batch + ipb - 1) / ipb;
  // Shifted: panel[input_begin[o] * kk + m * kk + t] = W[o, inputs[input_begin[o] + m], t].
  // Unfolded: panel[reader_begin[c] * kk + k * |S_c| + t] = W[readers[reader_begin[c] + t], c, k].
  std::vector<T> panel(gx ? conn * kk : 0);
  if (gx && lay.shifted)
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t r = p.input_begin[o]; r < p.input_begin[o + 1]; ++r)
        std::copy_n(w + (o * C + p.inputs[r]) * kk, kk, panel.data() + r * kk);
  else if (gx)
    for (int64_t c = 0; c < C; ++c) {
      const int64_t r0 = p.reader_begin[c], s = p.reader_begin[c + 1] - r0;
      for (int64_t t = 0; t < s; ++t)
        for (int64_t k = 0; k < kk; ++k) panel[r0 * kk + k * s + t] = w[(p.readers[r0 + t] * C + c) * kk + k];
    }
  // Per block: the weight-gradient partial [conn * kk] (reader-major) then the bias partial [Co].
  const int64_t partial_size = conn * kk + Co;
  std::vector<T> partials(gw || gb ? blocks * partial_size : 0);
  parallel_for(0, blocks, 1, [&](int64_t b, int64_t e) {
    const int64_t g_image = Co * lay.gs, src_image = lay.src_size();
    const int64_t gx_work = lay.shifted ? C * lay.gx_n : C * kk * n;
    T* Gb = scratch<T>(ipb * (g_image + src_image) + gx_work);
    T* srcb = Gb + ipb * g_image;
    T* work = srcb + ipb * src_image;
    for (int64_t blk = b; blk < e; ++blk) {
      const int64_t n0 = blk * ipb, nb = std::min(ipb, p.batch - n0);
      for (int64_t i = 0; i < nb; ++i) {
        lay.prepare_gradient(gy + (n0 + i) * Co * lay.hw, Gb + i * g_image);
        if (gw) lay.prepare_source(x + (n0 + i) * C * in_size, srcb + i * src_image);
        if (gx) input_gradient(lay, mk, panel, Gb + i * g_image, work, gx + (n0 + i) * C * in_size);
      }
      T* part = gw || gb ? partials.data() + blk * partial_size : nullptr;
      if (gw)
        for (int64_t c = 0; c < C; ++c) {  // gW[S_c, c] += G[S_c] x source_c^T over the block's images
          const int64_t r0 = p.reader_begin[c];
          for_each_block(p.reader_begin[c + 1] - r0, kMaxDotOutputs, [&](int64_t ob, int64_t os) {
            for_each_block(kk, kMaxDotRows, [&](int64_t k0, int64_t ks) {
              T out[kMaxDotOutputs * kMaxDotRows];
              mk.dot[os][ks](nb, n, Gb, g_image, lay.g_rows.data() + r0 + ob, srcb + c * lay.src_channel, src_image,
                             lay.taps.data() + k0, out);
              for (int64_t mo = 0; mo < os; ++mo) std::copy_n(out + mo * ks, ks, part + (r0 + ob + mo) * kk + k0);
            });
          });
        }
      if (gb)
        for (int64_t o = 0; o < Co; ++o) {  // gb[o] += sum of G[o] (zero outside the grid), one lane per column
          T acc[kLanes<T>] = {};
          for (int64_t i = 0; i < nb; ++i) {
            const T* row = Gb + i * g_image + o * lay.gs + lay.margin;
            for (int64_t q = 0; q < n; q += kLanes<T>)
              for (int64_t l = 0; l < kLanes<T>; ++l) acc[l] += row[q + l];
          }
          part[conn * kk + o] = pairwise_total(acc);
        }
    }
  });
  // Blocks summed in order: the result does not depend on how the blocks were spread over threads.
  for (int64_t blk = 0; blk < blocks && (gw || gb); ++blk) {
    const T* part = partials.data() + blk * partial_size;
    if (gw)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = p.reader_begin[c]; r < p.reader_begin[c + 1]; ++r)
          for (int64_t k = 0; k < kk; ++k) gw[(p.readers[r] * C + c) * kk + k] += part[r * kk + k];
    if (gb)
      for (int64_t o = 0; o < Co; ++o) gb[o] += part[conn * kk + o];
  }
}

}  // namespace

ConnectionConvPlan plan_connection_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                          const std::vector<bool>& connected, const ConvGeometry& geometry) {
  ConnectionConvPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.geometry = geometry;
  p.input_begin.assign(out_channels + 1, 0);
  for (int64_t o = 0; o < out_channels; ++o) {
    for (int64_t c = 0; c < in_channels; ++c)
      if (connected[o * in_channels + c]) p.inputs.push_back(c);
    p.input_begin[o + 1] = static_cast<int64_t>(p.inputs.size());
  }
  p.reader_begin.assign(in_channels + 1, 0);
  for (int64_t c = 0; c < in_channels; ++c) {
    for (int64_t o = 0; o < out_channels; ++o)
      if (connected[o * in_channels + c]) p.readers.push_back(o);
    p.reader_begin[c + 1] = static_cast<int64_t>(p.readers.size());
  }
  const int64_t per_image = std::max<int64_t>(1, in_channels * geometry.kernel_size() * geometry.out_size());
  p.images_per_block = std::clamp<int64_t>(kBlockScratchBudget / per_image, 1, kMaxImagesPerBlock);
  return p;
}

void connection_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               const ConnectionConvPlan& plan) {
  dispatch_floating(input.dtype(), "connection_conv2d", [&]<class T>() {
    forward_impl(input.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr, output.data<T>(), plan);
  });
}

void connection_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias,
                                const ConnectionConvPlan& plan) {
  if (!grad_input && !grad_weight && !grad_bias) return;
  dispatch_floating(grad_output.dtype(), "connection_conv2d backward", [&]<class T>() {
    backward_impl(grad_output.data<T>(), input.data<T>(), weight.data<T>(),
                  grad_input ? grad_input->data<T>() : nullptr, grad_weight ? grad_weight->data<T>() : nullptr,
                  grad_bias ? grad_bias->data<T>() : nullptr, plan);
  });
}

}  // namespace tapenet::kernels
