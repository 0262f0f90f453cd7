// Factories (tn.tensor, tn.zeros, ...), free functions (tn.exp, tn.matmul, tn.cat, ...) and the
// functions of tapenet.nn.functional (submodule _C._functional).
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "framework/factories.hpp"
#include "framework/random.hpp"
#include "glue.hpp"

namespace tapenet::python {

namespace {

Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return t;
}

DType dtype_or(py::handle dtype, DType fallback) { return optional_dtype(dtype).value_or(fallback); }

Generator& generator_or_default(py::handle gen) {
  if (gen.is_none()) return default_generator();
  if (!py::isinstance<Generator>(gen)) throw py::type_error("generator must be a tapenet.Generator or None");
  return gen.cast<Generator&>();
}

/// full(): like PyTorch, an int (or bool) fill value gives int64, a float float32.
DType fill_dtype(py::handle value) {
  return (PyLong_Check(value.ptr()) || (PyIndex_Check(value.ptr()) && !PyFloat_Check(value.ptr()))) ? DType::i64
                                                                                                     : DType::f32;
}

template <Tensor (*F)(const Tensor&, const Tensor&)>
void def_arith(py::module_& m, const char* name, const char* doc) {
  m.def(name, &binary<F>, py::arg("input"), py::arg("other"), doc);
  m.def(
      name,
      [](const Tensor& a, double b) {
        Tensor s = scalar_tensor(b, a.dtype());
        return binary<F>(a, s);
      },
      py::arg("input"), py::arg("other"));
  m.def(
      name,
      [](double a, const Tensor& b) {
        Tensor s = scalar_tensor(a, b.dtype());
        return binary<F>(s, b);
      },
      py::arg("input"), py::arg("other"));
}

Tensor loss_input(const Tensor& input, py::handle target_obj, bool same_dtype, Tensor* target) {
  *target = as_tensor(target_obj, same_dtype ? std::optional<DType>(input.dtype()) : std::nullopt);
  return input;
}

void bind_nn_functional(py::module_& f) {
  f.doc() = "The functions of tapenet.nn.functional (PyTorch's names and keyword arguments).";
  auto no_inplace = [](bool inplace, const char* op) {
    if (inplace) throw ValueError(std::string(op) + ": inplace=True is not supported");
  };
  f.def(
      "relu",
      [no_inplace](const Tensor& x, bool inplace) {
        no_inplace(inplace, "relu");
        return unary<&tapenet::relu>(x);
      },
      py::arg("input"), py::arg("inplace") = false, "max(x, 0) elementwise.");
  f.def(
      "leaky_relu",
      [no_inplace](const Tensor& x, double slope, bool inplace) {
        no_inplace(inplace, "leaky_relu");
        return maybe_without_gil(x.numel(), [&] { return leaky_relu(x, slope); });
      },
      py::arg("input"), py::arg("negative_slope") = 0.01, py::arg("inplace") = false,
      "x where x > 0, negative_slope * x elsewhere.");
  f.def("sigmoid", &unary<&tapenet::sigmoid>, py::arg("input"), "1 / (1 + exp(-x)) elementwise.");
  f.def("tanh", &unary<&tapenet::tanh>, py::arg("input"), "Hyperbolic tangent elementwise.");
  f.def("softmax", &with_dim<&tapenet::softmax>, py::arg("input"), py::arg("dim"), "Softmax along ``dim``.");
  f.def("log_softmax", &with_dim<&tapenet::log_softmax>, py::arg("input"), py::arg("dim"),
        "Log-softmax along ``dim`` (stable).");
  f.def(
      "cross_entropy",
      [](const Tensor& input, py::handle target, const std::string& reduction, double label_smoothing,
         int64_t ignore_index) {
        Tensor t;
        loss_input(input, target, false, &t);
        const Reduction r = reduction_from_str(reduction);
        return maybe_without_gil(input.numel(),
                                 [&] { return cross_entropy(input, t, r, label_smoothing, ignore_index); });
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean", py::arg("label_smoothing") = 0.0,
      py::arg("ignore_index") = -100,
      R"doc(Cross-entropy of logits ``input`` [N, C] and class labels ``target`` [N].

``target`` is an int64 Tensor, a NumPy integer array or a list of ints; a label outside [0, C)
other than ``ignore_index`` raises IndexError. ``reduction``: 'mean', 'sum' or 'none'.)doc");
  f.def(
      "nll_loss",
      [](const Tensor& input, py::handle target, const std::string& reduction, int64_t ignore_index) {
        Tensor t;
        loss_input(input, target, false, &t);
        const Reduction r = reduction_from_str(reduction);
        return maybe_without_gil(input.numel(), [&] { return nll_loss(input, t, r, ignore_index); });
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean", py::arg("ignore_index") = -100,
      "Negative log-likelihood of log-probabilities ``input`` [N, C] and class labels ``target`` [N].");
  f.def(
      "mse_loss",
      [](const Tensor& input, py::handle target, const std::string& reduction) {
        Tensor t;
        loss_input(input, target, true, &t);
        const Reduction r = reduction_from_str(reduction);
        return maybe_without_gil(input.numel(), [&] { return mse_loss(input, t, r); });
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean",
      "Squared error (input - target)**2, same shape and dtype (no broadcasting).");
}

}  // namespace

void bind_functional(py::module_& m) {
  // ---- factories ----
  m.def(
      "tensor",
      [](py::handle data, py::handle dtype, bool requires_grad) {
        return finish(tensor_from_py(data, optional_dtype(dtype)), requires_grad);
      },
      py::arg("data"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      R"doc(A new tensor holding a copy of ``data`` (NumPy array, nested list, scalar or Tensor).

Without ``dtype``: NumPy float64 stays float64, Python floats and other floating data become
float32, integers and bools become int64. Complex, string and object data raise ValueError.)doc");
  m.def(
      "zeros",
      [](const py::args& size, py::handle dtype, bool requires_grad) {
        const Shape s = shape_from_args(size);
        const DType d = dtype_or(dtype, DType::f32);
        return finish(maybe_without_gil(shape_numel(s), [&] { return zeros(s, d); }), requires_grad);
      },
      py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      "A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; dtype defaults to float32.");
  m.def(
      "ones",
      [](const py::args& size, py::handle dtype, bool requires_grad) {
        const Shape s = shape_from_args(size);
        const DType d = dtype_or(dtype, DType::f32);
        return finish(maybe_without_gil(shape_numel(s), [&] { return ones(s, d); }), requires_grad);
      },
      py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      "A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``; dtype defaults to float32.");
  m.def(
      "full",
      [](py::handle size, py::handle fill_value, py::handle dtype, bool requires_grad) {
        const Shape s = shape_from_obj(size);
        const DType d = dtype_or(dtype, fill_dtype(fill_value));
        if (!PyNumber_Check(fill_value.ptr()) || PyUnicode_Check(fill_value.ptr()))
          throw py::type_error("full: fill_value must be a number, got " + std::string(py::str(py::type::of(fill_value))));
        const double v = py::float_(py::reinterpret_borrow<py::object>(fill_value));
        return finish(maybe_without_gil(shape_numel(s), [&] { return full(s, v, d); }), requires_grad);
      },
      py::arg("size"), py::arg("fill_value"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      "A tensor of ``size`` filled with ``fill_value`` (dtype: int64 for an int fill value, else float32).");
  m.def(
      "zeros_like",
      [](const Tensor& t, py::handle dtype, bool requires_grad) {
        return finish(zeros(t.shape(), dtype_or(dtype, t.dtype())), requires_grad);
      },
      py::arg("input"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      "Zeros with the shape (and dtype) of ``input``.");
  m.def(
      "ones_like",
      [](const Tensor& t, py::handle dtype, bool requires_grad) {
        return finish(ones(t.shape(), dtype_or(dtype, t.dtype())), requires_grad);
      },
      py::arg("input"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
      "Ones with the shape (and dtype) of ``input``.");
  m.def(
      "arange",
      [](double start, std::optional<double> end, double step, py::handle dtype, bool requires_grad) {
        const DType d = dtype_or(dtype, DType::f32);
        const double lo = end ? start : 0, hi = end ? *end : start;
        if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(step))
          throw ValueError("arange: start, end and step must be finite");
        if (step != 0 && std::abs((hi - lo) / step) > 0x1p60) throw ValueError("arange: too many elements");
        Tensor t = arange(lo, hi, step, d);
        return finish(t, requires_grad);
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1.0, py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false,
      "[start, end) in steps of ``step``; ``arange(n)`` is [0, n). dtype defaults to float32.");
  m.def(
      "rand",
      [](const py::args& size, py::handle dtype, py::handle generator, bool requires_grad) {
        return finish(rand(shape_from_args(size), generator_or_default(generator), dtype_or(dtype, DType::f32)),
                      requires_grad);
      },
      py::arg("dtype") = py::none(), py::arg("generator") = py::none(), py::arg("requires_grad") = false,
      "Uniform samples in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))``.");
  m.def(
      "randn",
      [](const py::args& size, py::handle dtype, py::handle generator, bool requires_grad) {
        return finish(randn(shape_from_args(size), generator_or_default(generator), dtype_or(dtype, DType::f32)),
                      requires_grad);
      },
      py::arg("dtype") = py::none(), py::arg("generator") = py::none(), py::arg("requires_grad") = false,
      "Standard normal samples: ``randn(2, 3)`` or ``randn((2, 3))``.");

  // ---- arithmetic ----
  def_arith<&tapenet::add>(m, "add", "input + other with broadcasting.");
  def_arith<&tapenet::sub>(m, "sub", "input - other with broadcasting.");
  def_arith<&tapenet::mul>(m, "mul", "input * other with broadcasting.");
  def_arith<&tapenet::div>(m, "div", "input / other with broadcasting.");
  m.def("neg", &unary<&tapenet::neg>, py::arg("input"), "-input elementwise.");
  m.def("pow", &py_pow, py::arg("input"), py::arg("exponent"), "input ** exponent (a Python number).");
  m.def("matmul", &binary<&tapenet::matmul>, py::arg("input"), py::arg("other"),
        "Matrix product with torch.matmul's rules (1-d operands, broadcast batches).");

  // ---- elementwise ----
  m.def("exp", &unary<&tapenet::exp>, py::arg("input"), "Elementwise e**x.");
  m.def("log", &unary<&tapenet::log>, py::arg("input"), "Elementwise natural logarithm.");
  m.def("sqrt", &unary<&tapenet::sqrt>, py::arg("input"), "Elementwise square root.");
  m.def("abs", &unary<&tapenet::abs>, py::arg("input"), "Elementwise absolute value.");
  m.def("clamp", &py_clamp, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none(),
        "Limits the values to [min, max] (either bound may be None, not both).");
  m.def("relu", &unary<&tapenet::relu>, py::arg("input"), "max(x, 0) elementwise.");
  m.def("sigmoid", &unary<&tapenet::sigmoid>, py::arg("input"), "1 / (1 + exp(-x)) elementwise.");
  m.def("tanh", &unary<&tapenet::tanh>, py::arg("input"), "Hyperbolic tangent elementwise.");
  m.def("softmax", &with_dim<&tapenet::softmax>, py::arg("input"), py::arg("dim"), "Softmax along ``dim``.");
  m.def("log_softmax", &with_dim<&tapenet::log_softmax>, py::arg("input"), py::arg("dim"),
        "Log-softmax along ``dim``.");

  // ---- reductions ----
  m.def("sum", &py_sum, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "Sum over ``dim`` (None: all dimensions; an int or a tuple of ints).");
  m.def("mean", &py_mean, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "Mean over ``dim`` (None: all dimensions; an int or a tuple of ints).");
  m.def("max", &py_max, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "Maximum over ``dim``; returns the values only (not PyTorch's (values, indices) pair).");
  m.def("argmax", &py_argmax, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "Index (int64) of the first maximum along ``dim`` (None: into the flattened tensor).");

  // ---- shapes ----
  m.def(
      "reshape", [](const Tensor& x, py::handle shape) { return reshape(x, shape_from_obj(shape, false)); },
      py::arg("input"), py::arg("shape"), "The same data with a new shape (one -1 is inferred); shares storage.");
  m.def("flatten", &tapenet::flatten, py::arg("input"), py::arg("start_dim") = 0, py::arg("end_dim") = -1,
        "Merges dimensions start_dim..end_dim into one; shares storage.");
  m.def("transpose", &py_transpose, py::arg("input"), py::arg("dim0"), py::arg("dim1"), "Swaps two dimensions.");
  m.def(
      "permute", [](const Tensor& x, py::handle dims) { return py_permute(x, dims_from_py(dims)); },
      py::arg("input"), py::arg("dims"), "Reorders the dimensions.");
  m.def("t", &tapenet::t, py::arg("input"), "Transpose of a 2-d tensor (0-d and 1-d unchanged).");
  m.def("unsqueeze", &tapenet::unsqueeze, py::arg("input"), py::arg("dim"), "Inserts a size-1 dimension.");
  m.def("squeeze", &tapenet::squeeze, py::arg("input"), py::arg("dim"), "Removes dimension ``dim`` if it is 1.");
  auto cat = [](const std::vector<Tensor>& tensors, int64_t dim) {
    int64_t n = 0;
    for (const Tensor& t : tensors) n += t.defined() ? t.numel() : 0;
    return maybe_without_gil(n, [&] { return concat(tensors, dim); });
  };
  m.def("cat", cat, py::arg("tensors"), py::arg("dim") = 0, "Joins tensors along ``dim`` (torch.cat).");
  m.def("concat", cat, py::arg("tensors"), py::arg("dim") = 0, "Alias of cat.");
  m.def(
      "allclose",
      [](py::handle a, py::handle b, double rtol, double atol) {
        Tensor ta = as_tensor(a);
        Tensor tb = as_tensor(b, ta.dtype());
        return allclose(ta, tb, rtol, atol);
      },
      py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8,
      "|input - other| <= atol + rtol * |other| elementwise (same shape; NaN never equal).");
  m.def(
      "is_tensor", [](py::handle obj) { return py::isinstance<Tensor>(obj); }, py::arg("obj"),
      "True if ``obj`` is a tapenet.Tensor.");

  py::module_ f = m.def_submodule("_functional");
  bind_nn_functional(f);
}

}  // namespace tapenet::python
