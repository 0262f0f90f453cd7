#pragma once
/// \file Python-signature adapters over the C++ ops, shared by Tensor methods (tensor_bindings.cpp)
/// and the free functions (functional_bindings.cpp). Argument parsing and GIL release only.
#include <optional>

#include "convert.hpp"
#include "framework/ops.hpp"

namespace tapenet::python {

inline Tensor py_sum(const Tensor& x, py::handle dim, bool keepdim) {
  auto dims = dims_from_py(dim);
  return maybe_without_gil(x.numel(), [&] { return sum(x, dims, keepdim); });
}
inline Tensor py_mean(const Tensor& x, py::handle dim, bool keepdim) {
  auto dims = dims_from_py(dim);
  return maybe_without_gil(x.numel(), [&] { return mean(x, dims, keepdim); });
}
inline Tensor py_max(const Tensor& x, py::handle dim, bool keepdim) {
  auto dims = dims_from_py(dim);
  return maybe_without_gil(x.numel(), [&] { return max(x, dims, keepdim); });
}
/// dim=None: the index into the flattened tensor, as in PyTorch.
inline Tensor py_argmax(const Tensor& x, py::handle dim, bool keepdim) {
  if (dim.is_none()) {
    Tensor flat = reshape(x.detach(), {-1});
    Tensor r = maybe_without_gil(x.numel(), [&] { return argmax(flat, 0, false); });
    return keepdim ? reshape(r, Shape(static_cast<std::size_t>(x.dim()), 1)) : r;
  }
  const int64_t d = dim.cast<int64_t>();
  return maybe_without_gil(x.numel(), [&] { return argmax(x, d, keepdim); });
}
inline Tensor py_clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  return maybe_without_gil(x.numel(), [&] { return clamp(x, min, max); });
}

/// Wraps `Tensor f(const Tensor&)` so that large inputs run without the GIL.
template <Tensor (*F)(const Tensor&)>
Tensor unary(const Tensor& x) {
  return maybe_without_gil(x.numel(), [&] { return F(x); });
}
template <Tensor (*F)(const Tensor&, int64_t)>
Tensor with_dim(const Tensor& x, int64_t dim) {
  return maybe_without_gil(x.numel(), [&] { return F(x, dim); });
}
template <Tensor (*F)(const Tensor&, const Tensor&)>
Tensor binary(const Tensor& a, const Tensor& b) {
  return maybe_without_gil(a.numel() > b.numel() ? a.numel() : b.numel(), [&] { return F(a, b); });
}

inline Tensor py_pow(const Tensor& x, double e) {
  return maybe_without_gil(x.numel(), [&] { return pow(x, e); });
}
inline Tensor py_permute(const Tensor& x, std::vector<int64_t> dims) {
  return maybe_without_gil(x.numel(), [&] { return permute(x, dims); });
}
inline Tensor py_transpose(const Tensor& x, int64_t d0, int64_t d1) {
  return maybe_without_gil(x.numel(), [&] { return transpose(x, d0, d1); });
}
inline Tensor py_to(const Tensor& x, DType d) {
  return maybe_without_gil(x.numel(), [&] { return to_dtype(x, d); });
}

}  // namespace tapenet::python
