#include "framework/kernels/pooling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Input elements visited per task: measured on 2 cores, splitting pays from about two tasks of
// 4k elements (~5 us each) up.
constexpr int64_t kPoolGrain = 1 << 12;

// Calls plane(p) for p in [0, planes), in parallel; `work` is the number of elements one plane visits.
template <class Plane>
void for_each_plane(int64_t planes, int64_t work, Plane plane) {
  parallel_for(0, planes, std::max<int64_t>(1, kPoolGrain / std::max<int64_t>(1, work)), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) plane(p);
  });
}

// Whether v replaces the running maximum m: larger, or the first NaN (NaN propagates).
template <class T>
bool beats(T v, T m) {
  return v > m || (std::isnan(v) && !std::isnan(m));
}

// One dimension of a window: [lo, hi) lies inside the input, `padded` counts its positions inside
// the padded input (PyTorch's count_include_pad divisor). Windows are separable, so an output
// row's and an output column's spans are computed once per call, not once per window.
struct Span {
  int64_t lo, hi, padded;
};

std::vector<Span> window_spans(int64_t out, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  std::vector<Span> spans(out);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad, stop = std::min(start + kernel, in + pad);
    spans[o] = {std::max<int64_t>(start, 0), std::min(stop, in), stop - start};
  }
  return spans;
}

// Adaptive bins of an `out`-long output over an `in`-long input: [floor(i in / out), ceil((i + 1) in / out)).
std::vector<Span> adaptive_spans(int64_t out, int64_t in) {
  std::vector<Span> spans(out);
  for (int64_t i = 0; i < out; ++i) {
    const int64_t lo = i * in / out, hi = ((i + 1) * in + out - 1) / out;
    spans[i] = {lo, hi, hi - lo};
  }
  return spans;
}

// Geometry shared by the 2-D kernels: x's plane [H, W], y's plane [OH, OW], N * C planes, and the
// spans of the output rows and columns.
struct Planes {
  int64_t count, H, W, OH, OW;
  std::vector<Span> rows, cols;
};

Planes strided_planes(const Shape& in, const Shape& out, const PoolWindow& pw) {
  return {in[0] * in[1], in[2], in[3], out[2], out[3], window_spans(out[2], in[2], pw.kernel_h, pw.stride_h, pw.pad_h),
          window_spans(out[3], in[3], pw.kernel_w, pw.stride_w, pw.pad_w)};
}

Planes adaptive_planes(const Shape& in, const Shape& out) {
  return {in[0] * in[1], in[2], in[3], out[2], out[3], adaptive_spans(out[2], in[2]), adaptive_spans(out[3], in[3])};
}

// Input elements one plane's windows visit.
int64_t plane_work(const Planes& g) {
  int64_t rows = 0, cols = 0;
  for (const Span& r : g.rows) rows += r.hi - r.lo;
  for (const Span& c : g.cols) cols += c.hi - c.lo;
  return rows * cols;
}

// Calls visit(plane, output offset, row span, column span) for every output of every plane,
// planes in parallel.
template <class Visit>
void for_each_window(const Planes& g, Visit visit) {
  for_each_plane(g.count, plane_work(g), [&](int64_t p) {
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) visit(p, (p * g.OH + oh) * g.OW + ow, g.rows[oh], g.cols[ow]);
  });
}

// The maximum of window rows r × columns c of a plane `in` of width W and the flat index of its first
// occurrence (of the first NaN: NaN propagates). Written to compile without data-dependent branches
// (a max's comparisons mispredict about half the time): the maximum with maxss-style selects and a
// NaN flag, then the first position holding it by a reverse scan of conditional moves; a window
// holding a NaN takes the rare exact path.
template <class T>
void window_max(const T* in, int64_t W, const Span& r, const Span& c, T& best, int64_t& arg) {
  best = -std::numeric_limits<T>::infinity();
  bool nan = false;
  for (int64_t ih = r.lo; ih < r.hi; ++ih)
    for (int64_t iw = c.lo; iw < c.hi; ++iw) {
      const T v = in[ih * W + iw];
      best = v > best ? v : best;
      nan |= v != v;
    }
  arg = r.lo * W + c.lo;
  if (nan) {
    best = std::numeric_limits<T>::quiet_NaN();
    for (int64_t ih = r.hi - 1; ih >= r.lo; --ih)
      for (int64_t iw = c.hi - 1; iw >= c.lo; --iw)
        if (std::isnan(in[ih * W + iw])) arg = ih * W + iw;
  } else {
    for (int64_t ih = r.hi - 1; ih >= r.lo; --ih)
      for (int64_t iw = c.hi - 1; iw >= c.lo; --iw) arg = in[ih * W + iw] == best ? ih * W + iw : arg;
  }
}

// y = window maximum, indices = its flat index in the input plane.
template <class T>
void max_forward(const Tensor& x, const Planes& g, Tensor& y, Tensor& indices) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  int64_t* pi = indices.data<int64_t>();
  for_each_window(g, [&](int64_t p, int64_t o, const Span& r, const Span& c) {
    window_max(px + p * g.H * g.W, g.W, r, c, py[o], pi[o]);
  });
}

#if defined(__SSE2__)
// Whether every window is an unclipped 2×2 block at stride 2 (LeNet's and the all-conv net's pooling).
bool is_plain_2x2(const PoolWindow& pw, const Planes& g) {
  return pw.kernel_h == 2 && pw.kernel_w == 2 && pw.stride_h == 2 && pw.stride_w == 2 && pw.pad_h == 0 &&
         pw.pad_w == 0 && 2 * g.OH <= g.H && 2 * g.OW <= g.W;
}

// a where mask is set, b elsewhere (SSE2 has no blend instruction).
inline __m128 select(__m128 mask, __m128 a, __m128 b) { return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)); }

// Four 2×2 windows: rows r0 and r1 from column 0 (8 floats each). Writes the maxima and their
// offsets in the window (0, 1, W, W + 1 as floats; ties keep the first in that order); returns the
// lanes holding a NaN.
inline __m128 max_2x2_step(const float* r0, const float* r1, __m128 below, __m128 below_right, float* out,
                           int32_t* offset) {
  const __m128 t0 = _mm_loadu_ps(r0), t1 = _mm_loadu_ps(r0 + 4), u0 = _mm_loadu_ps(r1), u1 = _mm_loadu_ps(r1 + 4);
  const __m128 a = _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)), b = _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1));
  const __m128 c = _mm_shuffle_ps(u0, u1, _MM_SHUFFLE(2, 0, 2, 0)), d = _mm_shuffle_ps(u0, u1, _MM_SHUFFLE(3, 1, 3, 1));
  const __m128 b_wins = _mm_cmpgt_ps(b, a), d_wins = _mm_cmpgt_ps(d, c);
  const __m128 top = select(b_wins, b, a), top_at = _mm_and_ps(b_wins, _mm_set1_ps(1));
  const __m128 bottom = select(d_wins, d, c), bottom_at = select(d_wins, below_right, below);
  const __m128 bottom_wins = _mm_cmpgt_ps(bottom, top);
  _mm_storeu_ps(out, select(bottom_wins, bottom, top));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(offset), _mm_cvttps_epi32(select(bottom_wins, bottom_at, top_at)));
  return _mm_or_ps(_mm_cmpunord_ps(a, b), _mm_cmpunord_ps(c, d));
}

// max_forward for plain 2×2 windows of float planes, four windows per step in SSE2 (the compiler
// does not if-convert the selects of value and position on its own); the last 1-3 windows of a row
// go through the same step on a copy padded with zeros. A row holding a NaN is redone window by
// window with window_max.
void max_2x2_forward(const Tensor& x, const Planes& g, Tensor& y, Tensor& indices) {
  const float* px = x.data<float>();
  float* py = y.data<float>();
  int64_t* pi = indices.data<int64_t>();
  const int64_t W = g.W, OW = g.OW, steps = (OW + 3) / 4;
  const __m128 below = _mm_set1_ps(float(W)), below_right = _mm_set1_ps(float(W + 1));
  for_each_plane(g.count, 4 * g.OH * OW, [&](int64_t p) {
    const float* in = px + p * g.H * W;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      const float* r0 = in + 2 * oh * W;
      const float* r1 = r0 + W;
      float* out = py + (p * g.OH + oh) * OW;
      int64_t* arg = pi + (p * g.OH + oh) * OW;
      __m128 nan = _mm_setzero_ps();
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t n = std::min<int64_t>(4, OW - 4 * s);
        float maxima[4], tail0[8] = {}, tail1[8] = {};
        int32_t offset[4];
        if (n < 4) {
          std::copy_n(r0 + 8 * s, 2 * n, tail0);
          std::copy_n(r1 + 8 * s, 2 * n, tail1);
        }
        const __m128 lanes = max_2x2_step(n < 4 ? tail0 : r0 + 8 * s, n < 4 ? tail1 : r1 + 8 * s, below,
                                          below_right, maxima, offset);
        nan = _mm_or_ps(nan, lanes);
        for (int64_t j = 0; j < n; ++j) {
          out[4 * s + j] = maxima[j];
          arg[4 * s + j] = 2 * oh * W + 2 * (4 * s + j) + offset[j];
        }
      }
      if (_mm_movemask_ps(nan) != 0)
        for (int64_t ow = 0; ow < OW; ++ow) window_max(in, W, g.rows[oh], g.cols[ow], out[ow], arg[ow]);
    }
  });
}
#endif

// The divisor of a window: its padded extent or the part inside the input.
double divisor(const Span& r, const Span& c, bool count_include_pad) {
  return static_cast<double>(count_include_pad ? r.padded * c.padded : (r.hi - r.lo) * (c.hi - c.lo));
}

// y = window mean.
template <class T>
void mean_forward(const Tensor& x, const Planes& g, bool count_include_pad, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  for_each_window(g, [&](int64_t p, int64_t o, const Span& r, const Span& c) {
    const T* in = px + p * g.H * g.W;
    double s = 0;
    for (int64_t ih = r.lo; ih < r.hi; ++ih)
      for (int64_t iw = c.lo; iw < c.hi; ++iw) s += in[ih * g.W + iw];
    py[o] = static_cast<T>(s / divisor(r, c, count_include_pad));
  });
}

// gx[window] += gy / divisor.
template <class T>
void mean_backward(const Tensor& gy, const Planes& g, bool count_include_pad, Tensor& gx) {
  const T* pg = gy.data<T>();
  T* pgx = gx.data<T>();
  for_each_window(g, [&](int64_t p, int64_t o, const Span& r, const Span& c) {
    T* out = pgx + p * g.H * g.W;
    const T share = static_cast<T>(pg[o] / divisor(r, c, count_include_pad));
    for (int64_t ih = r.lo; ih < r.hi; ++ih)
      for (int64_t iw = c.lo; iw < c.hi; ++iw) out[ih * g.W + iw] += share;
  });
}

// The [N, G = C / k, S] view of channel_max_pool.
struct ChannelGroups {
  int64_t N, G, S;
};

ChannelGroups groups_of(const Shape& out) {
  ChannelGroups v{out[0], out[1], 1};
  for (std::size_t d = 2; d < out.size(); ++d) v.S *= out[d];
  return v;
}

}  // namespace

void max_pool2d_forward(const Tensor& x, const PoolWindow& window, Tensor& y, Tensor& indices) {
  const Planes g = strided_planes(x.shape(), y.shape(), window);
#if defined(__SSE2__)
  if (x.dtype() == DType::f32 && is_plain_2x2(window, g)) return max_2x2_forward(x, g, y, indices);
#endif
  dispatch_floating(x.dtype(), "max_pool2d", [&]<class T>() { max_forward<T>(x, g, y, indices); });
}

void max_pool2d_backward(const Tensor& gy, const Tensor& indices, Tensor& gx) {
  const Shape& in = gx.shape();
  const int64_t planes = in[0] * in[1], plane_in = in[2] * in[3], plane_out = gy.shape()[2] * gy.shape()[3];
  const int64_t* pi = indices.data<int64_t>();
  dispatch_floating(gy.dtype(), "max_pool2d backward", [&]<class T>() {
    const T* pg = gy.data<T>();
    T* pgx = gx.data<T>();
    for_each_plane(planes, plane_out, [&](int64_t p) {
      T* out = pgx + p * plane_in;
      for (int64_t o = p * plane_out; o < (p + 1) * plane_out; ++o) out[pi[o]] += pg[o];
    });
  });
}

void avg_pool2d_forward(const Tensor& x, const PoolWindow& window, bool count_include_pad, Tensor& y) {
  const Planes g = strided_planes(x.shape(), y.shape(), window);
  dispatch_floating(x.dtype(), "avg_pool2d", [&]<class T>() { mean_forward<T>(x, g, count_include_pad, y); });
}

void avg_pool2d_backward(const Tensor& gy, const PoolWindow& window, bool count_include_pad, Tensor& gx) {
  const Planes g = strided_planes(gx.shape(), gy.shape(), window);
  dispatch_floating(gy.dtype(), "avg_pool2d backward",
                    [&]<class T>() { mean_backward<T>(gy, g, count_include_pad, gx); });
}

void adaptive_avg_pool2d_forward(const Tensor& x, Tensor& y) {
  const Planes g = adaptive_planes(x.shape(), y.shape());
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d", [&]<class T>() { mean_forward<T>(x, g, false, y); });
}

void adaptive_avg_pool2d_backward(const Tensor& gy, Tensor& gx) {
  const Planes g = adaptive_planes(gx.shape(), gy.shape());
  dispatch_floating(gy.dtype(), "adaptive_avg_pool2d backward",
                    [&]<class T>() { mean_backward<T>(gy, g, false, gx); });
}

void channel_max_pool_forward(const Tensor& x, int64_t k, Tensor& y, Tensor& argmax) {
  const ChannelGroups v = groups_of(y.shape());
  dispatch_floating(x.dtype(), "channel_max_pool", [&]<class T>() {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    int64_t* pa = argmax.data<int64_t>();
    for_each_plane(v.N * v.G, k * v.S, [&](int64_t r) {
      const int64_t first = (r % v.G) * k;
      const T* in = px + ((r / v.G) * v.G * k + first) * v.S;
      T* out = py + r * v.S;
      int64_t* arg = pa + r * v.S;
      std::copy_n(in, v.S, out);
      std::fill_n(arg, v.S, first);
      for (int64_t j = 1; j < k; ++j)
        for (int64_t s = 0; s < v.S; ++s)
          if (beats(in[j * v.S + s], out[s])) {
            out[s] = in[j * v.S + s];
            arg[s] = first + j;
          }
    });
  });
}

void channel_max_pool_backward(const Tensor& gy, const Tensor& argmax, Tensor& gx) {
  const ChannelGroups v = groups_of(gy.shape());
  const int64_t C = gx.size(1);
  dispatch_floating(gy.dtype(), "channel_max_pool backward", [&]<class T>() {
    const T* pg = gy.data<T>();
    const int64_t* pa = argmax.data<int64_t>();
    T* pgx = gx.data<T>();
    for_each_plane(v.N * v.G, v.S, [&](int64_t r) {
      T* sample = pgx + (r / v.G) * C * v.S;
      for (int64_t s = 0; s < v.S; ++s) sample[pa[r * v.S + s] * v.S + s] += pg[r * v.S + s];
    });
  });
}

}  // namespace tapenet::kernels
