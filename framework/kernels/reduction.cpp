#include "framework/kernels/reduction.hpp"

#include <cmath>
#include <vector>

#include "framework/kernels/strided_layout.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

constexpr int64_t kReduceGrain = 1 << 15;  // elements per task
constexpr int64_t kSumChunk = 1 << 13;     // fixed partition of long rows: the summation order

// Sum of a contiguous run in eight independent lanes (lets the compiler vectorise without
// -ffast-math; the order depends only on n).
template <class T>
T lane_sum(const T* x, int64_t n) {
  T acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += x[i + k];
  T tail = 0;
  for (; i < n; ++i) tail += x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// Sum of a long row: fixed-size chunks (in parallel when long), then the partials in order.
template <class T>
T row_sum(const T* x, int64_t n) {
  if (n <= kSumChunk) return lane_sum(x, n);
  const int64_t chunks = (n + kSumChunk - 1) / kSumChunk;
  std::vector<T> partial(chunks);
  parallel_for(0, chunks, kReduceGrain / kSumChunk, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) partial[c] = lane_sum(x + c * kSumChunk, std::min(kSumChunk, n - c * kSumChunk));
  });
  return lane_sum(partial.data(), chunks);
}

StridedLayout<2> reduce_layout(const Shape& src, const Shape& dst, const char* op) {
  const Shape out = broadcast_shapes(dst, src, op);
  if (out != src)
    throw ValueError(std::string(op) + ": shape " + shape_str(dst) + " is not a reduction of " + shape_str(src));
  return StridedLayout<2>(src, {contiguous_strides(src), broadcast_strides(dst, src)});
}

// Calls visit(src_offset, dst_offset, inner_dst_stride, inner_size) for every inner row, in an
// order where rows that write the same dst elements are visited by one task in row order.
template <class Visit>
void for_each_row(const StridedLayout<2>& L, Visit visit) {
  const int64_t rows = L.rows(), inner = L.inner_size(), ds = L.inner_stride(1);
  const auto run = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto [os, od] = L.row_offsets(r);
      visit(os + c0, od + c0 * ds, ds, c1 - c0);
    }
  };
  const bool outer_kept = L.sizes.size() > 1 && L.strides[1][0] != 0;
  if (outer_kept) {  // chunks of the first dim write disjoint dst regions
    const int64_t per = rows / L.sizes[0];
    parallel_for(0, L.sizes[0], std::max<int64_t>(1, kReduceGrain / (per * inner)),
                 [&](int64_t b, int64_t e) { run(b * per, e * per, 0, inner); });
  } else if (ds != 0) {  // the inner dim is kept: split its columns
    parallel_for(0, inner, std::max<int64_t>(1, kReduceGrain / std::max<int64_t>(rows, 1)),
                 [&](int64_t b, int64_t e) { run(0, rows, b, e); });
  } else {
    run(0, rows, 0, inner);
  }
}

}  // namespace

void sum_to(const Tensor& src, Tensor& dst, bool accumulate) {
  const StridedLayout<2> L = reduce_layout(src.shape(), dst.shape(), "sum_to");
  dispatch_floating(src.dtype(), "sum", [&]<class T>() {
    const T* s = src.data<T>();
    T* d = dst.data<T>();
    if (!accumulate) dst.zero_();
    if (src.numel() == 0) return;
    for_each_row(L, [&](int64_t os, int64_t od, int64_t ds, int64_t n) {
      if (ds == 0)
        d[od] += row_sum(s + os, n);
      else
        for (int64_t i = 0; i < n; ++i) d[od + i] += s[os + i];
    });
  });
}

void max_to(const Tensor& src, Tensor& values, Tensor& offsets) {
  const StridedLayout<2> L = reduce_layout(src.shape(), values.shape(), "max");
  if (src.numel() == 0 && values.numel() > 0)
    throw ValueError("max: cannot reduce an empty tensor of shape " + shape_str(src.shape()));
  dispatch_floating(src.dtype(), "max", [&]<class T>() {
    const T* s = src.data<T>();
    T* v = values.data<T>();
    int64_t* o = offsets.data<int64_t>();
    std::fill_n(o, values.numel(), int64_t{-1});
    // Takes x when the slot is empty, when x is larger, or when x is the first NaN (NaN propagates).
    const auto take = [&](int64_t slot, int64_t off) {
      const T x = s[off], cur = v[slot];
      if (o[slot] < 0 || (!std::isnan(cur) && (x > cur || std::isnan(x)))) {
        v[slot] = x;
        o[slot] = off;
      }
    };
    for_each_row(L, [&](int64_t os, int64_t od, int64_t ds, int64_t n) {
      for (int64_t i = 0; i < n; ++i) take(od + i * ds, os + i);
    });
  });
}

void scatter_add_offsets(const Tensor& grad_values, const Tensor& offsets, Tensor& grad_src) {
  dispatch_floating(grad_values.dtype(), "max backward", [&]<class T>() {
    const T* g = grad_values.data<T>();
    const int64_t* o = offsets.data<int64_t>();
    T* gs = grad_src.data<T>();
    for (int64_t i = 0; i < grad_values.numel(); ++i) gs[o[i]] += g[i];
  });
}

}  // namespace tapenet::kernels
