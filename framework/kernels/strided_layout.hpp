#pragma once
/// \file A coalesced loop nest shared by broadcasting and reduction kernels.
#include <array>
#include <cstdint>
#include <vector>

#include "framework/shape.hpp"

namespace tapenet::kernels {

/// A loop nest over `shape` where operand k advances strides[k][d] elements per step of dim d.
/// Size-1 dims are dropped and adjacent dims that step contiguously for every operand are merged,
/// so most broadcasts and reductions become one or two loops. The last dim is the inner loop.
template <int K>
struct StridedLayout {
  std::vector<int64_t> sizes;
  std::array<std::vector<int64_t>, K> strides;

  StridedLayout(const Shape& shape, const std::array<std::vector<int64_t>, K>& in_strides) {
    for (std::size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;
      bool merge = !sizes.empty();
      for (int k = 0; k < K && merge; ++k) merge = strides[k].back() == in_strides[k][d] * shape[d];
      if (merge) {
        sizes.back() *= shape[d];
        for (int k = 0; k < K; ++k) strides[k].back() = in_strides[k][d];
      } else {
        sizes.push_back(shape[d]);
        for (int k = 0; k < K; ++k) strides[k].push_back(in_strides[k][d]);
      }
    }
    if (sizes.empty()) {
      sizes.push_back(1);
      for (int k = 0; k < K; ++k) strides[k].push_back(0);
    }
  }

  int64_t inner_size() const { return sizes.back(); }
  int64_t inner_stride(int k) const { return strides[k].back(); }
  /// Number of inner rows: the product of all sizes but the last.
  int64_t rows() const {
    int64_t r = 1;
    for (std::size_t d = 0; d + 1 < sizes.size(); ++d) r *= sizes[d];
    return r;
  }
  /// Offsets of every operand at the start of inner row `row` (row-major over the outer dims).
  std::array<int64_t, K> row_offsets(int64_t row) const {
    std::array<int64_t, K> off{};
    for (std::size_t d = sizes.size() - 1; d-- > 0;) {
      const int64_t i = row % sizes[d];
      row /= sizes[d];
      for (int k = 0; k < K; ++k) off[k] += i * strides[k][d];
    }
    return off;
  }
};

/// Strides of `shape` seen from a broadcast result of rank `ndim` and extents `out`:
/// contiguous strides where the extent matches, 0 where it is broadcast (or missing).
inline std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  const std::vector<int64_t> own = contiguous_strides(shape);
  const std::size_t lead = out.size() - shape.size();
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (shape[d] == out[d + lead]) st[d + lead] = own[d];
  return st;
}

}  // namespace tapenet::kernels
