#pragma once
/// \file Shapes: a tensor's extents, outermost first (row-major, NCHW for images).
#include <cstdint>
#include <string>
#include <vector>

namespace tapenet {

using Shape = std::vector<int64_t>;

/// Number of elements (1 for a 0-d shape). Throws ValueError on a negative extent.
int64_t shape_numel(const Shape& shape);

/// "[2, 3, 4]".
std::string shape_str(const Shape& shape);

/// NumPy broadcasting of two shapes; throws ValueError naming `op` and both shapes when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Maps a possibly negative dimension into [0, ndim); throws IndexError naming `op` when out of range.
int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op);

/// Row-major strides, in elements.
std::vector<int64_t> contiguous_strides(const Shape& shape);

}  // namespace tapenet
