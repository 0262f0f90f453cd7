#include "framework/kernels/pooling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

// The part of a window inside the input, [h0, h1) x [w0, w1), and its divisor for averages.
struct Clip {
  int64_t h0, h1, w0, w1;
  double divisor;
};

Clip clip_window(const PoolWindow& pw, int64_t H, int64_t W, int64_t oh, int64_t ow, bool count_include_pad) {
  const int64_t h0 = oh * pw.stride_h - pw.pad_h, w0 = ow * pw.stride_w - pw.pad_w;
  const int64_t h1 = std::min(h0 + pw.kernel_h, H + pw.pad_h), w1 = std::min(w0 + pw.kernel_w, W + pw.pad_w);
  Clip c{std::max<int64_t>(h0, 0), std::min(h1, H), std::max<int64_t>(w0, 0), std::min(w1, W), 0};
  c.divisor = static_cast<double>(count_include_pad ? (h1 - h0) * (w1 - w0) : (c.h1 - c.h0) * (c.w1 - c.w0));
  return c;
}

// Adaptive bin (i, j) of an [OH, OW] output over an [H, W] plane: rows [floor(i H / OH),
// ceil((i + 1) H / OH)), columns likewise.
Clip adaptive_bin(int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t i, int64_t j) {
  Clip c{i * H / OH, ((i + 1) * H + OH - 1) / OH, j * W / OW, ((j + 1) * W + OW - 1) / OW, 0};
  c.divisor = static_cast<double>((c.h1 - c.h0) * (c.w1 - c.w0));
  return c;
}

// Geometry shared by the 2-D kernels: x's plane [H, W], y's plane [OH, OW], N * C planes.
struct Planes {
  int64_t count, H, W, OH, OW;
};

Planes planes_of(const Shape& in, const Shape& out) { return {in[0] * in[1], in[2], in[3], out[2], out[3]}; }

// Calls visit(plane, output offset, window) for every output of every plane, planes in parallel.
template <class Window, class Visit>
void for_each_window(const Planes& g, int64_t work, Window window, Visit visit) {
  for_each_plane(g.count, work, [&](int64_t p) {
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) visit(p, (p * g.OH + oh) * g.OW + ow, window(oh, ow));
  });
}

// y = window maximum, indices = its flat index in the input plane.
template <class T>
void max_forward(const Tensor& x, const PoolWindow& pw, Tensor& y, Tensor& indices) {
  const Planes g = planes_of(x.shape(), y.shape());
  const T* px = x.data<T>();
  T* py = y.data<T>();
  int64_t* pi = indices.data<int64_t>();
  const auto clip = [&](int64_t oh, int64_t ow) { return clip_window(pw, g.H, g.W, oh, ow, false); };
  for_each_window(g, g.OH * g.OW * pw.kernel_h * pw.kernel_w, clip, [&](int64_t p, int64_t o, const Clip& c) {
    const T* in = px + p * g.H * g.W;
    T best = -std::numeric_limits<T>::infinity();
    int64_t arg = c.h0 * g.W + c.w0;
    for (int64_t ih = c.h0; ih < c.h1; ++ih)
      for (int64_t iw = c.w0; iw < c.w1; ++iw)
        if (beats(in[ih * g.W + iw], best)) {
          best = in[ih * g.W + iw];
          arg = ih * g.W + iw;
        }
    py[o] = best;
    pi[o] = arg;
  });
}

// y = window mean.
template <class T, class Window>
void mean_forward(const Tensor& x, const Planes& g, int64_t work, Window window, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  for_each_window(g, work, window, [&](int64_t p, int64_t o, const Clip& c) {
    const T* in = px + p * g.H * g.W;
    double s = 0;
    for (int64_t ih = c.h0; ih < c.h1; ++ih)
      for (int64_t iw = c.w0; iw < c.w1; ++iw) s += in[ih * g.W + iw];
    py[o] = static_cast<T>(s / c.divisor);
  });
}

// gx[window] += gy / divisor.
template <class T, class Window>
void mean_backward(const Tensor& gy, const Planes& g, int64_t work, Window window, Tensor& gx) {
  const T* pg = gy.data<T>();
  T* pgx = gx.data<T>();
  for_each_window(g, work, window, [&](int64_t p, int64_t o, const Clip& c) {
    T* out = pgx + p * g.H * g.W;
    const T share = static_cast<T>(pg[o] / c.divisor);
    for (int64_t ih = c.h0; ih < c.h1; ++ih)
      for (int64_t iw = c.w0; iw < c.w1; ++iw) out[ih * g.W + iw] += share;
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
  dispatch_floating(x.dtype(), "max_pool2d", [&]<class T>() { max_forward<T>(x, window, y, indices); });
}

void max_pool2d_backward(const Tensor& gy, const Tensor& indices, Tensor& gx) {
  const Planes g = planes_of(gx.shape(), gy.shape());
  const int64_t* pi = indices.data<int64_t>();
  dispatch_floating(gy.dtype(), "max_pool2d backward", [&]<class T>() {
    const T* pg = gy.data<T>();
    T* pgx = gx.data<T>();
    for_each_plane(g.count, g.OH * g.OW, [&](int64_t p) {
      T* out = pgx + p * g.H * g.W;
      for (int64_t o = p * g.OH * g.OW; o < (p + 1) * g.OH * g.OW; ++o) out[pi[o]] += pg[o];
    });
  });
}

void avg_pool2d_forward(const Tensor& x, const PoolWindow& window, bool count_include_pad, Tensor& y) {
  const Planes g = planes_of(x.shape(), y.shape());
  const auto clip = [&](int64_t oh, int64_t ow) { return clip_window(window, g.H, g.W, oh, ow, count_include_pad); };
  const int64_t work = g.OH * g.OW * window.kernel_h * window.kernel_w;
  dispatch_floating(x.dtype(), "avg_pool2d", [&]<class T>() { mean_forward<T>(x, g, work, clip, y); });
}

void avg_pool2d_backward(const Tensor& gy, const PoolWindow& window, bool count_include_pad, Tensor& gx) {
  const Planes g = planes_of(gx.shape(), gy.shape());
  const auto clip = [&](int64_t oh, int64_t ow) { return clip_window(window, g.H, g.W, oh, ow, count_include_pad); };
  const int64_t work = g.OH * g.OW * window.kernel_h * window.kernel_w;
  dispatch_floating(gy.dtype(), "avg_pool2d backward", [&]<class T>() { mean_backward<T>(gy, g, work, clip, gx); });
}

void adaptive_avg_pool2d_forward(const Tensor& x, Tensor& y) {
  const Planes g = planes_of(x.shape(), y.shape());
  const auto bin = [&](int64_t i, int64_t j) { return adaptive_bin(g.H, g.W, g.OH, g.OW, i, j); };
  const int64_t work = std::max(g.H, g.OH) * std::max(g.W, g.OW);
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d", [&]<class T>() { mean_forward<T>(x, g, work, bin, y); });
}

void adaptive_avg_pool2d_backward(const Tensor& gy, Tensor& gx) {
  const Planes g = planes_of(gx.shape(), gy.shape());
  const auto bin = [&](int64_t i, int64_t j) { return adaptive_bin(g.H, g.W, g.OH, g.OW, i, j); };
  const int64_t work = std::max(g.H, g.OH) * std::max(g.W, g.OW);
  dispatch_floating(gy.dtype(), "adaptive_avg_pool2d backward",
                    [&]<class T>() { mean_backward<T>(gy, g, work, bin, gx); });
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
