// tn.Tensor: properties, NumPy interop (buffer protocol, .numpy()), operators and methods.
#include <string>

#include "bindings.hpp"
#include "glue.hpp"

namespace tapenet::python {

namespace {

py::object grad_or_none(const Tensor& t) {
  Tensor g = t.grad();
  if (!g.defined()) return py::none();
  return py::cast(std::move(g));
}

void set_grad_py(Tensor& t, py::handle g) {
  if (g.is_none()) {
    t.zero_grad();
    return;
  }
  if (!py::isinstance<Tensor>(g)) throw py::type_error("grad must be a Tensor or None");
  t.set_grad(g.cast<Tensor>());
}

py::object item_py(const Tensor& t) {
  if (t.numel() != 1)
    throw ValueError("item(): a Tensor with " + std::to_string(t.numel()) + " elements cannot be converted to a scalar");
  if (t.dtype() == DType::i64) return py::int_(t.data<int64_t>()[0]);
  return py::float_(t.item());
}

py::tuple shape_tuple(const Tensor& t) {
  py::tuple s(t.shape().size());
  for (std::size_t i = 0; i < t.shape().size(); ++i) s[i] = py::int_(t.shape()[i]);
  return s;
}

/// Dims from `*dims` varargs: ints, or one tuple/list of ints.
std::vector<int64_t> dims_from_args(const py::args& args) {
  if (args.size() == 1 && !PyIndex_Check(args[0].ptr())) return dims_from_py(args[0]);
  std::vector<int64_t> dims;
  for (py::handle h : args) {
    auto d = dims_from_py(h);
    dims.insert(dims.end(), d.begin(), d.end());
  }
  return dims;
}

Tensor reshape_py(const Tensor& x, const py::args& args) { return reshape(x, shape_from_args(args, false)); }

/// A `Tensor op double` lambda that runs without the GIL on large tensors.
template <class F>
auto scalar_op(F f) {
  return [f](const Tensor& a, double b) { return maybe_without_gil(a.numel(), [&] { return f(a, b); }); };
}

void backward_py(const Tensor& t, py::handle gradient, bool retain_graph) {
  Tensor g;
  if (!gradient.is_none()) g = as_tensor(gradient, t.dtype());
  py::gil_scoped_release release;
  t.backward(g, retain_graph);
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<Tensor> cls(m, "Tensor", py::buffer_protocol(), R"doc(
A tapenet tensor: a contiguous, row-major float32 / float64 / int64 array with autodiff state.

Create tensors with ``tn.tensor``, ``tn.zeros``, ``tn.randn``, ... ; ``np.asarray(t)`` and
``t.numpy()`` share memory with the tensor (zero-copy). Operators ``+ - * / ** @`` broadcast as in
NumPy and accept Python scalars on either side; both tensor operands must have the same dtype.
)doc");

  // Instances come only from the C++ side (tn.tensor, factories, ops): a bare Tensor.__new__ would
  // leave the C++ handle unconstructed, so it is refused (this also refuses copy / pickle).
  cls.attr("__new__") = py::staticmethod(py::cpp_function(
      [](const py::args&, const py::kwargs&) -> py::object {
        throw py::type_error("tapenet.Tensor cannot be constructed directly; use tapenet.tensor(data)");
      },
      py::name("__new__")));

  // Called from C (PEP 3118) where an exception cannot pass: never throws.
  cls.def_buffer([](Tensor& t) -> py::buffer_info {
    if (!t.defined())
      return py::buffer_info(nullptr, sizeof(float), py::format_descriptor<float>::format(), 1, {0}, {sizeof(float)});
    std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
    std::vector<py::ssize_t> strides;
    const auto itemsize = static_cast<py::ssize_t>(dtype_size(t.dtype()));
    for (int64_t s : contiguous_strides(t.shape())) strides.push_back(s * itemsize);
    std::string format = t.dtype() == DType::f32   ? py::format_descriptor<float>::format()
                         : t.dtype() == DType::f64 ? py::format_descriptor<double>::format()
                                                   : py::format_descriptor<int64_t>::format();
    return py::buffer_info(t.raw_data(), itemsize, format, static_cast<py::ssize_t>(shape.size()), shape, strides);
  });

  // ---- properties ----
  cls.def_property_readonly("shape", &shape_tuple, "The sizes as a tuple of ints.")
      .def_property_readonly("dtype", &Tensor::dtype, "The element type: tn.float32, tn.float64 or tn.int64.")
      .def_property_readonly("ndim", &Tensor::dim, "Number of dimensions.")
      .def_property(
          "requires_grad", &Tensor::requires_grad,
          [](Tensor& t, bool v) { t.requires_grad_(v); },
          "Whether gradients are recorded for this tensor. Settable on leaves (floating tensors only).")
      .def_property("grad", &grad_or_none, &set_grad_py,
                    "The accumulated gradient of a leaf (a Tensor) or None. Assign None to clear it.")
      .def_property_readonly("is_leaf", &Tensor::is_leaf, "True unless the tensor was produced by a recorded op.")
      .def_property_readonly("data", &Tensor::detach, "A detached handle to the same data (like detach()).");

  // ---- introspection ----
  cls.def("dim", &Tensor::dim, "Number of dimensions.")
      .def("numel", &Tensor::numel, "Number of elements.")
      .def(
          "size",
          [](const Tensor& t, py::object dim) -> py::object {
            if (dim.is_none()) return shape_tuple(t);
            return py::int_(t.size(dim.cast<int64_t>()));
          },
          py::arg("dim") = py::none(), "The sizes as a tuple, or the size of dimension ``dim``.")
      .def("__len__",
           [](const Tensor& t) {
             if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
             return t.shape()[0];
           })
      .def("__bool__",
           [](const Tensor& t) {
             if (t.numel() != 1) throw ValueError("Boolean value of Tensor with more than one value is ambiguous");
             return t.dtype() == DType::i64 ? t.data<int64_t>()[0] != 0 : t.item() != 0;
           })
      .def("__float__", [](const Tensor& t) { return item_py(t).cast<double>(); })
      .def("__int__", [](const Tensor& t) { return py::int_(item_py(t)); })
      .def("item", &item_py, "The value of a one-element tensor as a Python float (int for int64).")
      .def(
          "tolist", [](const Tensor& t) { return numpy_view(t, py::handle()).attr("tolist")(); },
          "The data as (nested) Python lists; a 0-d tensor gives a scalar.")
      .def(
          "numpy", [](const Tensor& t) { return numpy_view(t, py::handle()); },
          "A NumPy array sharing this tensor's memory (no copy; writes are visible both ways).")
      .def(
          "__array__",
          [](const Tensor& t, py::object dtype) {
            py::array a = numpy_view(t, py::handle());
            return dtype.is_none() ? py::object(a) : py::object(a.attr("astype")(dtype));
          },
          py::arg("dtype") = py::none())
      .def("__repr__", &Tensor::to_string)
      .def("__str__", &Tensor::to_string);

  // ---- autodiff ----
  cls.def(
         "requires_grad_", [](Tensor& t, bool v) -> Tensor { return t.requires_grad_(v); },
         py::arg("requires_grad") = true, "Sets requires_grad in place and returns self.")
      .def("detach", &Tensor::detach, "A tensor sharing the data, not recorded and not requiring grad.")
      .def(
          "clone", [](const Tensor& t) { return maybe_without_gil(t.numel(), [&] { return t.clone(); }); },
          "A deep copy of the data (detached from the graph).")
      .def(
          "zero_", [](Tensor& t) -> Tensor { return t.zero_(); },
          "Fills the tensor with zeros in place (not recorded) and returns self.")
      .def("backward", &backward_py, py::arg("gradient") = py::none(), py::arg("retain_graph") = false,
           R"doc(Reverse-mode pass from this tensor, accumulating into the leaves' ``.grad``.

``gradient`` defaults to 1 for a one-element tensor and is required otherwise. Without
``retain_graph`` the graph is freed and a second backward through it raises RuntimeError.)doc");

  // ---- operators ----
  cls.def("__add__", &binary<&tapenet::add>, py::is_operator())
      .def("__add__", scalar_op([](const Tensor& a, double b) { return a + b; }), py::is_operator())
      .def("__radd__", scalar_op([](const Tensor& a, double b) { return b + a; }), py::is_operator())
      .def("__sub__", &binary<&tapenet::sub>, py::is_operator())
      .def("__sub__", scalar_op([](const Tensor& a, double b) { return a - b; }), py::is_operator())
      .def("__rsub__", scalar_op([](const Tensor& a, double b) { return b - a; }), py::is_operator())
      .def("__mul__", &binary<&tapenet::mul>, py::is_operator())
      .def("__mul__", scalar_op([](const Tensor& a, double b) { return a * b; }), py::is_operator())
      .def("__rmul__", scalar_op([](const Tensor& a, double b) { return b * a; }), py::is_operator())
      .def("__truediv__", &binary<&tapenet::div>, py::is_operator())
      .def("__truediv__", scalar_op([](const Tensor& a, double b) { return a / b; }), py::is_operator())
      .def("__rtruediv__", scalar_op([](const Tensor& a, double b) { return b / a; }), py::is_operator())
      .def("__matmul__", &binary<&tapenet::matmul>, py::is_operator())
      .def("__pow__", &py_pow, py::is_operator())
      .def(
          "__rpow__",
          [](const Tensor& x, double base) {
            if (!(base > 0)) throw ValueError("scalar ** tensor: only a positive base is supported");
            return maybe_without_gil(x.numel(), [&] { return tapenet::exp(x * std::log(base)); });
          },
          py::is_operator())
      .def("__neg__", &unary<&tapenet::neg>)
      .def("__pos__", [](const Tensor& x) { return x; });

  // ---- math methods ----
  cls.def("sum", &py_sum, py::arg("dim") = py::none(), py::arg("keepdim") = false,
          "Sum over ``dim`` (None: all dimensions; an int or a tuple of ints).")
      .def("mean", &py_mean, py::arg("dim") = py::none(), py::arg("keepdim") = false,
           "Mean over ``dim`` (None: all dimensions; an int or a tuple of ints).")
      .def("max", &py_max, py::arg("dim") = py::none(), py::arg("keepdim") = false,
           "Maximum over ``dim``. Returns the values only (not PyTorch's (values, indices) pair).")
      .def("argmax", &py_argmax, py::arg("dim") = py::none(), py::arg("keepdim") = false,
           "Index (int64) of the first maximum along ``dim`` (None: into the flattened tensor).")
      .def("exp", &unary<&tapenet::exp>, "Elementwise e**x.")
      .def("log", &unary<&tapenet::log>, "Elementwise natural logarithm.")
      .def("sqrt", &unary<&tapenet::sqrt>, "Elementwise square root.")
      .def("abs", &unary<&tapenet::abs>, "Elementwise absolute value.")
      .def("neg", &unary<&tapenet::neg>, "Elementwise negation.")
      .def("clamp", &py_clamp, py::arg("min") = py::none(), py::arg("max") = py::none(),
           "Limits the values to [min, max] (either bound may be None, not both).")
      .def("relu", &unary<&tapenet::relu>, "max(x, 0) elementwise.")
      .def("sigmoid", &unary<&tapenet::sigmoid>, "1 / (1 + exp(-x)) elementwise.")
      .def("tanh", &unary<&tapenet::tanh>, "Hyperbolic tangent elementwise.")
      .def("pow", &py_pow, py::arg("exponent"), "x ** exponent elementwise (a Python number exponent).")
      .def("softmax", &with_dim<&tapenet::softmax>, py::arg("dim"), "Softmax along ``dim``.")
      .def("log_softmax", &with_dim<&tapenet::log_softmax>, py::arg("dim"), "Log-softmax along ``dim``.")
      .def("matmul", &binary<&tapenet::matmul>, py::arg("other"), "Matrix product (torch.matmul rules).");

  // ---- shape methods ----
  cls.def("reshape", &reshape_py, "The same data with a new shape (varargs or a tuple; one -1 is inferred).")
      .def(
          "view", &reshape_py, "Alias of reshape (the result always shares storage).")
      .def("flatten", &tapenet::flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1,
           "Merges dimensions start_dim..end_dim into one.")
      .def("transpose", &py_transpose, py::arg("dim0"), py::arg("dim1"), "Swaps two dimensions (copies).")
      .def(
          "permute", [](const Tensor& x, const py::args& dims) { return py_permute(x, dims_from_args(dims)); },
          "Reorders the dimensions (varargs or a tuple); copies.")
      .def("t", &tapenet::t, "Transpose of a 2-d tensor; 0-d and 1-d tensors are returned as they are.")
      .def("unsqueeze", &tapenet::unsqueeze, py::arg("dim"), "Inserts a size-1 dimension at ``dim``.")
      .def("squeeze", &tapenet::squeeze, py::arg("dim"), "Removes dimension ``dim`` if its size is 1.")
      .def(
          "to",
          [](const Tensor& x, py::object dtype) -> Tensor {
            if (py::isinstance<py::str>(dtype) && dtype.cast<std::string>() == "cpu") return x;
            return py_to(x, dtype_from_py(dtype));
          },
          py::arg("dtype"), "Converts to ``dtype`` (float32 <-> float64 is differentiable).")
      .def(
          "float", [](const Tensor& x) { return py_to(x, DType::f32); }, "Converts to float32.")
      .def(
          "double", [](const Tensor& x) { return py_to(x, DType::f64); }, "Converts to float64.")
      .def(
          "long", [](const Tensor& x) { return py_to(x, DType::i64); }, "Converts to int64 (not from floating).");
}

}  // namespace tapenet::python
