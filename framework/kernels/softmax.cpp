#include "framework/kernels/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

constexpr int64_t kSoftmaxGrain = 1 << 14;  // elements per task
constexpr int64_t kLanes = 64;              // adjacent lanes processed together (vectorises the inner loop)

// The [outer, size, inner] view of a contiguous shape around `dim`.
struct LaneView {
  int64_t outer = 1, size = 1, inner = 1;
};

LaneView view_around(const Shape& shape, int64_t dim) {
  LaneView v;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim)
      v.outer *= shape[d];
    else if (d == dim)
      v.size = shape[d];
    else
      v.inner *= shape[d];
  }
  return v;
}

// Calls group(offset, width) for every run of up to kLanes adjacent lanes, in parallel; element j
// of the run's lane c sits at offset + j * inner + c.
template <class Group>
void for_each_lane_group(const LaneView& v, Group group) {
  if (v.outer * v.size * v.inner == 0) return;
  const int64_t width = std::min(v.inner, kLanes);
  const int64_t per_outer = (v.inner + width - 1) / width;
  const int64_t grain = std::max<int64_t>(1, kSoftmaxGrain / (v.size * width));
  parallel_for(0, v.outer * per_outer, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t c0 = (t % per_outer) * width;
      group((t / per_outer) * v.size * v.inner + c0, std::min(width, v.inner - c0));
    }
  });
}

template <class T, bool Log>
void forward(const Tensor& x, int64_t dim, Tensor& y) {
  const LaneView v = view_around(x.shape(), dim);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  for_each_lane_group(v, [&](int64_t offset, int64_t width) {
    const T* xs = px + offset;
    T* ys = py + offset;
    T m[kLanes], s[kLanes];
    std::fill_n(m, width, -std::numeric_limits<T>::infinity());
    std::fill_n(s, width, T(0));
    for (int64_t j = 0; j < v.size; ++j)
      for (int64_t c = 0; c < width; ++c) m[c] = std::max(m[c], xs[j * v.inner + c]);
    for (int64_t j = 0; j < v.size; ++j)
      for (int64_t c = 0; c < width; ++c) {
        const T e = std::exp(xs[j * v.inner + c] - m[c]);
        s[c] += e;
        if constexpr (!Log) ys[j * v.inner + c] = e;
      }
    for (int64_t c = 0; c < width; ++c) s[c] = Log ? std::log(s[c]) : T(1) / s[c];
    for (int64_t j = 0; j < v.size; ++j)
      for (int64_t c = 0; c < width; ++c) {
        const int64_t i = j * v.inner + c;
        if constexpr (Log)
          ys[i] = (xs[i] - m[c]) - s[c];
        else
          ys[i] *= s[c];
      }
  });
}

template <class T, bool Log>
void backward(const Tensor& gy, const Tensor& y, int64_t dim, Tensor& gx) {
  const LaneView v = view_around(y.shape(), dim);
  const T* pg = gy.data<T>();
  const T* py = y.data<T>();
  T* pgx = gx.data<T>();
  for_each_lane_group(v, [&](int64_t offset, int64_t width) {
    const T* gs = pg + offset;
    const T* ys = py + offset;
    T* gxs = pgx + offset;
    T s[kLanes];  // sum_dim(gy) for log-softmax, sum_dim(gy * y) for softmax
    std::fill_n(s, width, T(0));
    for (int64_t j = 0; j < v.size; ++j)
      for (int64_t c = 0; c < width; ++c) {
        const int64_t i = j * v.inner + c;
        s[c] += Log ? gs[i] : gs[i] * ys[i];
      }
    for (int64_t j = 0; j < v.size; ++j)
      for (int64_t c = 0; c < width; ++c) {
        const int64_t i = j * v.inner + c;
        gxs[i] += Log ? gs[i] - std::exp(ys[i]) * s[c] : ys[i] * (gs[i] - s[c]);
      }
  });
}

}  // namespace

void softmax_forward(const Tensor& x, int64_t dim, Tensor& y) {
  dispatch_floating(x.dtype(), "softmax", [&]<class T>() { forward<T, false>(x, dim, y); });
}

void log_softmax_forward(const Tensor& x, int64_t dim, Tensor& y) {
  dispatch_floating(x.dtype(), "log_softmax", [&]<class T>() { forward<T, true>(x, dim, y); });
}

void softmax_backward(const Tensor& gy, const Tensor& y, int64_t dim, Tensor& gx) {
  dispatch_floating(y.dtype(), "softmax backward", [&]<class T>() { backward<T, false>(gy, y, dim, gx); });
}

void log_softmax_backward(const Tensor& gy, const Tensor& y, int64_t dim, Tensor& gx) {
  dispatch_floating(y.dtype(), "log_softmax backward", [&]<class T>() { backward<T, true>(gy, y, dim, gx); });
}

}  // namespace tapenet::kernels
