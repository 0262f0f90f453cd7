#include "convert.hpp"

#include <string>

#include "framework/errors.hpp"
#include "framework/ops/shape_ops.hpp"

namespace tapenet::python {

namespace {

py::module_& numpy() {
  // Leaked on purpose: a static py::object would be released after the interpreter is gone.
  static py::module_* np = new py::module_(py::module_::import("numpy"));
  return *np;
}

bool is_python_native(py::handle obj) {
  return PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr()) || PyFloat_CheckExact(obj.ptr()) ||
         PyLong_CheckExact(obj.ptr()) || PyBool_Check(obj.ptr());
}

DType dtype_from_string(const std::string& s) {
  if (s == "float32" || s == "float" || s == "f4" || s == "<f4") return DType::f32;
  if (s == "float64" || s == "double" || s == "f8" || s == "<f8") return DType::f64;
  if (s == "int64" || s == "long" || s == "i8" || s == "<i8") return DType::i64;
  throw ValueError("unsupported dtype '" + s + "': tapenet has float32, float64 and int64");
}

}  // namespace

DType dtype_from_py(py::handle obj) {
  if (py::isinstance<DType>(obj)) return obj.cast<DType>();
  if (py::isinstance<py::str>(obj)) return dtype_from_string(obj.cast<std::string>());
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return DType::f32;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return DType::i64;
  if (py::isinstance<py::dtype>(obj) || py::isinstance<py::type>(obj)) {
    py::dtype d;
    try {
      d = py::dtype::from_args(py::reinterpret_borrow<py::object>(obj));
    } catch (const py::error_already_set&) {
      throw ValueError("unsupported dtype " + std::string(py::str(obj)));
    }
    const char kind = d.kind();
    const auto size = d.itemsize();
    if (kind == 'f' && size == 4) return DType::f32;
    if (kind == 'f' && size == 8) return DType::f64;
    if (kind == 'i' && size == 8) return DType::i64;
    throw ValueError("unsupported dtype " + std::string(py::str(py::handle(d))) + ": tapenet has float32, float64 and int64");
  }
  throw ValueError("expected a dtype (tn.float32, tn.float64, tn.int64, a NumPy dtype or a string), got " +
                   std::string(py::str(py::type::of(obj))));
}

std::optional<DType> optional_dtype(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return dtype_from_py(obj);
}

py::dtype numpy_dtype(DType d) {
  switch (d) {
    case DType::f32: return py::dtype::of<float>();
    case DType::f64: return py::dtype::of<double>();
    case DType::i64: break;
  }
  return py::dtype::of<int64_t>();
}

py::array numpy_view(const Tensor& t, py::handle owner) {
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  std::vector<py::ssize_t> strides;
  const auto itemsize = static_cast<py::ssize_t>(dtype_size(t.dtype()));
  for (int64_t s : contiguous_strides(t.shape())) strides.push_back(s * itemsize);
  py::object base = py::reinterpret_borrow<py::object>(owner);
  if (!owner) {
    // A capsule owning a handle keeps the storage alive as long as the array (and its views).
    base = py::capsule(new Tensor(t), [](void* p) { delete static_cast<Tensor*>(p); });
  }
  return py::array(numpy_dtype(t.dtype()), shape, strides, const_cast<void*>(t.raw_data()), base);
}

Tensor tensor_from_py(py::handle data, std::optional<DType> dtype) {
  if (py::isinstance<Tensor>(data)) {
    const Tensor& t = data.cast<const Tensor&>();
    if (dtype && *dtype != t.dtype()) return to_dtype(t.detach(), *dtype);
    return t.clone();
  }
  const bool native = is_python_native(data);
  py::array arr = native ? numpy().attr("array")(data) : numpy().attr("asarray")(data);
  const py::dtype src = arr.dtype();
  const char kind = src.kind();
  DType inferred;
  switch (kind) {
    case 'f': inferred = (!native && src.itemsize() >= 8) ? DType::f64 : DType::f32; break;
    case 'i':
    case 'u':
    case 'b': inferred = DType::i64; break;
    default:
      throw ValueError("tensor: cannot convert data of NumPy dtype " + std::string(py::str(py::handle(src))) +
                       " (expected numbers: float, int or bool)");
  }
  const DType target = dtype.value_or(inferred);
  Shape shape(arr.shape(), arr.shape() + arr.ndim());
  Tensor t = Tensor::empty(shape, target);
  if (t.numel() > 0) {
    // One copy, straight from the source strides and dtype into the tensor's storage.
    py::array dst = numpy_view(t, py::handle());
    numpy().attr("copyto")(dst, arr, py::arg("casting") = "unsafe");
  }
  return t;
}

Tensor as_tensor(py::handle obj, std::optional<DType> dtype) {
  if (py::isinstance<Tensor>(obj)) return obj.cast<Tensor>();
  return tensor_from_py(obj, dtype);
}

namespace {
int64_t index_from_py(py::handle h, const char* what) {
  if (!PyIndex_Check(h.ptr()) || PyBool_Check(h.ptr()))
    throw py::type_error(std::string(what) + " must be integers, got " + std::string(py::str(py::type::of(h))));
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow) throw ValueError(std::string(what) + " out of the int64 range: " + std::string(py::str(index)));
  return static_cast<int64_t>(v);
}

Shape checked(Shape shape, bool check_extents) {
  if (!check_extents) return shape;
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : shape) {
    if (s < 0) throw ValueError("negative dimension in shape " + shape_str(shape));
    if (__builtin_mul_overflow(n, s, &n)) overflow = true;
  }
  if (overflow || n > (int64_t{1} << 60)) throw ValueError("shape " + shape_str(shape) + " has too many elements");
  return shape;
}
}  // namespace

Shape shape_from_obj(py::handle obj, bool check_extents) {
  Shape shape;
  if (PyIndex_Check(obj.ptr()) && !PyBool_Check(obj.ptr())) {
    shape.push_back(index_from_py(obj, "sizes"));
  } else if (py::isinstance<py::sequence>(obj) && !py::isinstance<py::str>(obj)) {
    for (py::handle h : py::reinterpret_borrow<py::sequence>(obj)) shape.push_back(index_from_py(h, "sizes"));
  } else {
    throw py::type_error("size must be an int or a sequence of ints, got " + std::string(py::str(py::type::of(obj))));
  }
  return checked(std::move(shape), check_extents);
}

Shape shape_from_args(const py::args& args, bool check_extents) {
  if (args.size() == 1 && !PyIndex_Check(args[0].ptr())) return shape_from_obj(args[0], check_extents);
  Shape shape;
  for (py::handle h : args) shape.push_back(index_from_py(h, "sizes"));
  return checked(std::move(shape), check_extents);
}

std::vector<int64_t> dims_from_py(py::handle obj) {
  std::vector<int64_t> dims;
  if (obj.is_none()) return dims;
  if (PyIndex_Check(obj.ptr()) && !PyBool_Check(obj.ptr())) {
    dims.push_back(index_from_py(obj, "dims"));
  } else if (py::isinstance<py::sequence>(obj) && !py::isinstance<py::str>(obj)) {
    for (py::handle h : py::reinterpret_borrow<py::sequence>(obj)) dims.push_back(index_from_py(h, "dims"));
  } else {
    throw py::type_error("dim must be None, an int or a tuple of ints, got " + std::string(py::str(py::type::of(obj))));
  }
  return dims;
}

Reduction reduction_from_str(const std::string& s) {
  if (s == "mean") return Reduction::mean;
  if (s == "sum") return Reduction::sum;
  if (s == "none") return Reduction::none;
  throw ValueError("reduction must be 'none', 'mean' or 'sum', got '" + s + "'");
}

}  // namespace tapenet::python
