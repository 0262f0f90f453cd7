#pragma once
/// \file Copy kernels: strided copies (permute, slice, concat and their backward) and dtype conversion.
///
/// Both run under parallel_for above kElementwiseGrain elements; every destination element is
/// written by exactly one task, so results are bit-identical for any thread count.
#include <cstdint>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// Where the elements of a loop over some shape live in a buffer: element (i_0, ..., i_{d-1}) is at
/// `offset + sum_d i_d * strides[d]` (in elements).
struct StridedView {
  int64_t offset = 0;
  std::vector<int64_t> strides;
};

/// The view of a contiguous tensor of `shape`: offset 0, row-major strides.
inline StridedView contiguous_view(const Shape& shape) { return {0, contiguous_strides(shape)}; }

/// dst[dst_view(i)] = src[src_view(i)] for every index i of `shape`, or `+=` when `accumulate`.
/// dst and src share a dtype (ValueError otherwise); dst_view must map distinct indices to distinct
/// elements. The views are not bounds-checked: callers derive them from the tensors' shapes.
void strided_copy(const Shape& shape, const Tensor& src, const StridedView& src_view, Tensor& dst,
                  const StridedView& dst_view, bool accumulate);

/// dst[i] = src[i] converted to dst's dtype (or `+=` when `accumulate`); same number of elements.
void convert(const Tensor& src, Tensor& dst, bool accumulate);

}  // namespace tapenet::kernels
