// Autograd and runtime controls: no_grad support, gradcheck, random seeds and generators, threads.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "framework/gradcheck.hpp"
#include "framework/parallel.hpp"
#include "framework/random.hpp"
#include "framework/tape.hpp"

namespace tapenet::python {

namespace {

/// One `with` level of tapenet.no_grad (the Python class keeps a stack of these).
struct NoGradScope {
  std::optional<NoGradGuard> guard;
};

std::vector<Tensor> tensors_from_inputs(py::handle inputs) {
  std::vector<Tensor> xs;
  if (py::isinstance<Tensor>(inputs)) {
    xs.push_back(inputs.cast<Tensor>());
    return xs;
  }
  if (!py::isinstance<py::sequence>(inputs) || py::isinstance<py::str>(inputs))
    throw py::type_error("gradcheck: inputs must be a Tensor or a tuple/list of Tensors");
  for (py::handle h : py::reinterpret_borrow<py::sequence>(inputs)) {
    if (!py::isinstance<Tensor>(h))
      throw py::type_error("gradcheck: inputs must be Tensors, got " + std::string(py::str(py::type::of(h))));
    xs.push_back(h.cast<Tensor>());
  }
  return xs;
}

bool gradcheck_py(py::function fn, py::handle inputs, double eps, double atol, double rtol, bool raise_exception,
                  uint64_t seed, bool check_accumulation) {
  GradcheckOptions options;
  options.eps = eps;
  options.atol = atol;
  options.rtol = rtol;
  options.seed = seed;
  options.check_accumulation = check_accumulation;
  auto f = [&fn](const std::vector<Tensor>& xs) -> Tensor {
    py::tuple args(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) args[i] = py::cast(xs[i]);
    py::object out = fn(*args);
    if (!py::isinstance<Tensor>(out))
      throw py::type_error("gradcheck: the function must return a Tensor, got " +
                           std::string(py::str(py::type::of(out))));
    return out.cast<Tensor>();
  };
  try {
    return gradcheck(f, tensors_from_inputs(inputs), options);
  } catch (const GradcheckError&) {
    if (raise_exception) throw;
    return false;
  }
}

}  // namespace

void bind_autograd(py::module_& m) {
  py::class_<NoGradScope>(m, "_NoGradScope", "One level of tapenet.no_grad (internal).")
      .def(py::init<>())
      .def("__enter__", [](NoGradScope& s) { s.guard.emplace(); })
      .def("__exit__", [](NoGradScope& s, py::args) {
        s.guard.reset();
        return false;
      });
  m.def("is_grad_enabled", &grad_enabled, "True unless inside ``with tapenet.no_grad():`` (per thread).");

  m.def("gradcheck", &gradcheck_py, py::arg("fn"), py::arg("inputs"), py::arg("eps") = 1e-6, py::arg("atol") = 1e-5,
        py::arg("rtol") = 1e-3, py::arg("raise_exception") = true, py::arg("seed") = 0,
        py::arg("check_accumulation") = true,
        R"doc(Checks the gradients of ``fn(*inputs)`` against float64 central differences.

``fn`` takes the input tensors as positional arguments and returns a Tensor. Inputs that require
grad must be float64. Returns True, or raises tapenet.GradcheckError (a RuntimeError) naming the
first mismatching input and element; with ``raise_exception=False`` returns False instead.)doc");

  py::class_<Generator>(m, "Generator", "A seeded random number generator (mt19937_64) for rand / randn.")
      .def(py::init<uint64_t>(), py::arg("seed") = 67280421310721ULL, "A generator seeded with ``seed``.")
      .def(
          "manual_seed",
          [](Generator& g, uint64_t seed) -> Generator& {
            g.manual_seed(seed);
            return g;
          },
          py::arg("seed"), py::return_value_policy::reference_internal, "Restarts the stream from ``seed``; returns self.")
      .def("initial_seed", &Generator::initial_seed, "The seed the stream was last started from.")
      .def("get_state", &Generator::state, "The full state as a string (restore with set_state).")
      .def("set_state", &Generator::set_state, py::arg("state"), "Restores a state from get_state().");

  m.def("manual_seed", &manual_seed, py::arg("seed"), "Reseeds the default generator (like torch.manual_seed).");
  m.def(
      "default_generator", []() -> Generator& { return default_generator(); }, py::return_value_policy::reference,
      "The process-wide default Generator.");
  m.def("set_num_threads", &set_num_threads, py::arg("n"),
        "Sets the number of threads of the TBB kernels and OpenBLAS together (n >= 1).");
  m.def("get_num_threads", &get_num_threads, "The thread count set by set_num_threads (all cores by default).");
}

}  // namespace tapenet::python
