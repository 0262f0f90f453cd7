// tapenet._C: the extension module. Dtypes, exception translation, then each topic's bindings.
#include <exception>

#include "bindings.hpp"
#include "convert.hpp"
#include "framework/errors.hpp"
#include "framework/gradcheck.hpp"

namespace py = pybind11;
using namespace tapenet;

PYBIND11_MODULE(_C, m) {
  m.doc() = "tapenet._C: the C++ core of tapenet (use the `tapenet` package instead).";
  py::module_::import("numpy");  // a clear ImportError now rather than a failure at first use

  py::enum_<DType> dtype(m, "dtype", "Element types: float32, float64 (gradient checks) and int64 (labels).");
  dtype.value("float32", DType::f32)
      .value("float64", DType::f64)
      .value("int64", DType::i64)
      .def_property_readonly(
          "itemsize", [](DType d) { return dtype_size(d); }, "Bytes per element.")
      .def_property_readonly(
          "is_floating_point", [](DType d) { return is_floating(d); }, "True for float32 and float64.");
  // Replace (not overload) the enum's own __repr__ / __str__: "tapenet.float32", like "torch.float32".
  for (const char* name : {"__repr__", "__str__"})
    dtype.attr(name) = py::cpp_function([](DType d) { return std::string("tapenet.") + dtype_name(d); },
                                        py::name(name), py::is_method(dtype));
  m.attr("float32") = DType::f32;
  m.attr("float64") = DType::f64;
  m.attr("int64") = DType::i64;
  m.attr("float") = DType::f32;
  m.attr("double") = DType::f64;
  m.attr("long") = DType::i64;

  // Kept alive by the module attribute; the raw handle is never released (no static destructor
  // running after the interpreter is gone).
  static py::handle gradcheck_error =
      py::exception<GradcheckError>(m, "GradcheckError", PyExc_RuntimeError).release();
  m.attr("GradcheckError").attr("__doc__") = "Raised by tapenet.gradcheck when a gradient does not match (a RuntimeError).";
  // Most specific first; anything not listed falls through to pybind11's defaults
  // (std::invalid_argument -> ValueError, std::out_of_range -> IndexError, bad_alloc -> MemoryError).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const GradcheckError& e) {
      PyErr_SetString(gradcheck_error.ptr(), e.what());
    } catch (const AutogradError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const tapenet::IOError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    }
  });

  tapenet::python::bind_tensor(m);
  tapenet::python::bind_autograd(m);  // before the factories that take a Generator
  tapenet::python::bind_functional(m);
  tapenet::python::bind_nn(m);  // after the functional submodule it extends
  tapenet::python::bind_optim(m);
  tapenet::python::bind_lr_scheduler(m);  // after the optimizers it drives
  tapenet::python::bind_data(m);
  tapenet::python::bind_models(m);  // after the layers it returns
  tapenet::python::bind_train(m);
  tapenet::python::bind_checkpoint(m);  // after the optimizers, schedulers and data loaders it takes
  tapenet::python::bind_study(m);
  m.attr("__version__") = TAPENET_VERSION;
}
