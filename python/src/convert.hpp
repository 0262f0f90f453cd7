#pragma once
/// \file Conversions between Python objects and tapenet values shared by the binding files
/// (glue only: no math).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // in every binding file: std::optional / std::vector casters must agree (ODR)

#include <cstdint>
#include <optional>
#include <vector>

#include "framework/ops/loss.hpp"
#include "framework/tensor.hpp"

namespace tapenet::python {

namespace py = pybind11;

/// Ops on at least this many elements release the GIL (below it the release costs more than it
/// lets other threads gain).
inline constexpr int64_t kReleaseGilNumel = int64_t{1} << 14;

/// Runs `f()` without the GIL when `numel` is large enough. `f` must not touch Python objects.
template <class F>
decltype(auto) maybe_without_gil(int64_t numel, F&& f) {
  if (numel >= kReleaseGilNumel) {
    py::gil_scoped_release release;
    return f();
  }
  return f();
}

/// A dtype from tn.dtype, a NumPy dtype, a NumPy scalar type (np.float32), a string ("float32",
/// "float", "double", "long", "int64") or the Python types float / int. Throws ValueError.
DType dtype_from_py(py::handle obj);
/// None -> nullopt, anything else as dtype_from_py.
std::optional<DType> optional_dtype(py::handle obj);

/// The NumPy dtype matching a tapenet dtype.
py::dtype numpy_dtype(DType d);

/// tn.tensor(): one copy of a Tensor, NumPy array (any strides, zero-size included), NumPy scalar,
/// buffer or nested list / Python scalar. Without `dtype`: NumPy float64 stays float64, other
/// floating inputs become float32, Python floats float32, integers and bools int64. Complex,
/// string and object data throw ValueError.
Tensor tensor_from_py(py::handle data, std::optional<DType> dtype);

/// A Tensor passed as is; anything else converted by tensor_from_py (with `dtype` when given).
Tensor as_tensor(py::handle obj, std::optional<DType> dtype = std::nullopt);

/// Sizes from `*size` varargs: either ints, or a single tuple/list of ints. Throws ValueError on
/// a negative extent (with `allow_minus_one`, one -1 passes through for reshape) or an element
/// count that overflows int64, TypeError for non-integers.
Shape shape_from_args(const py::args& args, bool check_extents = true);
/// Sizes from one int or a sequence of ints.
Shape shape_from_obj(py::handle obj, bool check_extents = true);

/// `dim` arguments: None -> {} (all dimensions), an int, or a tuple/list of ints.
std::vector<int64_t> dims_from_py(py::handle obj);

/// "none" / "mean" / "sum"; throws ValueError otherwise.
Reduction reduction_from_str(const std::string& s);

/// A NumPy array viewing the tensor's storage (zero-copy); `owner` keeps the storage alive.
py::array numpy_view(const Tensor& t, py::handle owner);

}  // namespace tapenet::python
