// tn.nn core: Module (subclassable from Python), Parameter, ConnectionTable, summary.
// The Python-level conveniences (attribute registration, state_dict as NumPy, repr, iterators)
// live in python/tapenet/nn/modules.py; this file exposes the C++ Module to them.
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "bindings.hpp"
#include "framework/connection_table.hpp"
#include "framework/summary.hpp"
#include "layers/dropout.hpp"
#include "nn_common.hpp"

namespace tapenet::python {

namespace {

/// The C++ side of a Module subclass written in Python: forward and extra_repr call the Python
/// methods (the GIL is taken, since C++ callers such as Sequential may run without it).
class PyModule : public Module {
 public:
  explicit PyModule(std::string type_name) : Module(std::move(type_name)) {}

  Tensor forward(const Tensor& input) override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(static_cast<const Module*>(this), "forward");
    if (!f) return Module::forward(input);
    py::object out = f(input);
    if (!py::isinstance<Tensor>(out))
      throw py::type_error(type_name() + ".forward must return a tapenet.Tensor when called from C++ (got " +
                           std::string(py::str(py::type::of(out))) + ")");
    return out.cast<Tensor>();
  }

  std::string extra_repr() const override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(static_cast<const Module*>(this), "extra_repr");
    if (!f) return Module::extra_repr();
    return f().cast<std::string>();
  }
};

/// Opens Module::add_child (protected) to the bindings.
struct ModuleAccess : Module {
  using Module::add_child;
};

/// True when a forward of `m` in its current mode draws from a generator (a Dropout in training):
/// generators are not thread-safe, so such calls keep the GIL, like the random factories.
bool draws_random(Module& m) {
  for (auto& [name, child] : m.named_modules())
    if (child->is_training() && dynamic_cast<nn::Dropout*>(child)) return true;
  return false;
}

py::list named_list(const StateDict& entries) {
  py::list out;
  for (const auto& [name, t] : entries) out.append(py::make_tuple(name, t));
  return out;
}

StateDict state_dict_from_py(Module& self, py::handle mapping) {
  if (!py::hasattr(mapping, "items")) throw py::type_error("load_state_dict: expected a mapping of name -> array");
  // Array-likes take the dtype of the entry they load into (so NumPy float64 data fills a
  // float32 parameter); Tensors must match exactly.
  StateDict own = self.state_dict();
  StateDict out;
  for (py::handle item : mapping.attr("items")()) {
    auto kv = py::reinterpret_borrow<py::tuple>(item);
    if (!py::isinstance<py::str>(kv[0])) throw py::type_error("load_state_dict: keys must be strings");
    std::string key = kv[0].cast<std::string>();
    std::optional<DType> dtype;
    for (const auto& [k, t] : own)
      if (k == key) dtype = t.dtype();
    out.emplace_back(key, as_tensor(kv[1], dtype));
  }
  return out;
}

}  // namespace

std::shared_ptr<Module> module_for_cpp_owner(py::handle obj, bool calls_forward) {
  if (!py::isinstance<Module>(obj))
    throw py::type_error(std::string("expected a tapenet.nn.Module, got ") + std::string(py::str(py::type::of(obj))));
  auto held = obj.cast<std::shared_ptr<Module>>();
  // A Python subclass of a C++ layer (class MyConv(tn.nn.Conv2d)) has no C++ hook for its own
  // forward: a C++ owner would silently run the layer's forward instead.
  if (calls_forward && !dynamic_cast<PyModule*>(held.get()) && PyFunction_Check(py::type::of(obj).attr("forward").ptr()))
    throw py::type_error(std::string(py::str(py::type::of(obj).attr("__name__"))) +
                         " overrides forward of a C++ layer and cannot be called from a C++ container; "
                         "subclass tapenet.nn.Module instead (and hold the layer as a child)");
  auto keep = std::shared_ptr<py::object>(new py::object(py::reinterpret_borrow<py::object>(obj)), [](py::object* o) {
    if (Py_IsInitialized()) {
      py::gil_scoped_acquire gil;
      delete o;
    } else {
      o->release();  // the interpreter is gone: nothing left to decrement
      delete o;
    }
  });
  return std::shared_ptr<Module>(keep, held.get());
}

nn::Size2d size2d_from_py(py::handle obj, const char* what) {
  if (PyIndex_Check(obj.ptr()) && !PyBool_Check(obj.ptr())) return nn::Size2d(obj.cast<int64_t>());
  if (py::isinstance<py::sequence>(obj) && !py::isinstance<py::str>(obj)) {
    auto seq = py::reinterpret_borrow<py::sequence>(obj);
    if (seq.size() != 2)
      throw ValueError(std::string(what) + " must be an int or a pair of ints, got " + std::string(py::repr(obj)));
    for (py::handle h : seq)
      if (!PyIndex_Check(h.ptr()) || PyBool_Check(h.ptr()))
        throw py::type_error(std::string(what) + " must be an int or a pair of ints, got " + std::string(py::repr(obj)));
    return nn::Size2d(seq[0].cast<int64_t>(), seq[1].cast<int64_t>());
  }
  throw py::type_error(std::string(what) + " must be an int or a pair of ints, got " +
                       std::string(py::str(py::type::of(obj))));
}

py::tuple size2d_to_py(const nn::Size2d& s) { return py::make_tuple(s.h, s.w); }

Tensor optional_tensor(py::handle obj, const Tensor& like) {
  if (obj.is_none()) return Tensor();
  return as_tensor(obj, like.defined() ? std::optional<DType>(like.dtype()) : std::nullopt);
}

py::object tensor_or_none(const Tensor& t) {
  if (!t.defined()) return py::none();
  return py::cast(t);
}

void bind_modules(py::module_& nn) {
  // ---- Parameter: a Tensor subclass that marks module attributes as parameters ----
  struct Parameter : Tensor {
    explicit Parameter(const Tensor& t) : Tensor(t) {}
  };
  py::class_<Parameter, Tensor> param(nn, "Parameter", R"doc(
A Tensor that becomes a parameter when assigned as an attribute of a tn.nn.Module.

``Parameter(tensor_or_array, requires_grad=True)``: a Tensor argument is shared (a detached
handle to its data, as torch.nn.Parameter); anything else is copied by tn.tensor.)doc");
  // Tensor refuses __new__ (instances come from C++); Parameter is built by its __init__.
  param.attr("__new__") = py::handle(reinterpret_cast<PyObject*>(py::detail::get_internals().instance_base)).attr("__new__");
  param.def(py::init([](py::handle data, bool requires_grad) {
              Tensor t = py::isinstance<Tensor>(data) ? data.cast<const Tensor&>().detach() : tensor_from_py(data, {});
              if (requires_grad) t.requires_grad_(true);
              return Parameter(t);
            }),
            py::arg("data"), py::arg("requires_grad") = true);

  // ---- Module ----
  py::class_<Module, PyModule, std::shared_ptr<Module>> mod(nn, "Module", py::dynamic_attr(), R"doc(
Base class of every layer; subclass it in Python as torch.nn.Module.

    class Net(tn.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = tn.nn.Linear(4, 2)                  # a child module
            self.scale = tn.nn.Parameter(tn.ones(2))      # a parameter
            self.register_buffer("steps", tn.zeros(1))    # a buffer
        def forward(self, x):
            return self.fc(x) * self.scale
)doc");
  mod.def(py::init_alias<std::string>(), py::arg("_type_name"))
      .def("forward", &Module::forward, py::arg("input"), "The computation (override it in subclasses).")
      .def(
          "_call",
          [](Module& m, const Tensor& x) {
            if (x.numel() >= kReleaseGilNumel && draws_random(m)) return m(x);
            return maybe_without_gil(x.numel(), [&] { return m(x); });
          },
          py::arg("input"))
      .def(
          "_register_parameter",
          [](Module& m, const std::string& name, const Tensor& t) { return m.register_parameter(name, t); },
          py::arg("name"), py::arg("tensor"))
      .def(
          "_register_buffer",
          [](Module& m, const std::string& name, const Tensor& t) { return m.register_buffer(name, t); },
          py::arg("name"), py::arg("tensor"))
      .def(
          "_register_module",
          [](Module& m, const std::string& name, py::handle child) {
            (m.*(&ModuleAccess::add_child))(name, module_for_cpp_owner(child, false));
          },
          py::arg("name"), py::arg("module"))
      .def(
          "_named_parameters", [](const Module& m, bool recurse) { return named_list(m.named_parameters(recurse)); },
          py::arg("recurse") = true)
      .def(
          "_named_buffers", [](const Module& m, bool recurse) { return named_list(m.named_buffers(recurse)); },
          py::arg("recurse") = true)
      .def("_named_children", &Module::named_children)
      .def("_state_dict", [](const Module& m) { return named_list(m.state_dict()); })
      .def(
          "_load_state_dict",
          [](Module& m, py::handle mapping, bool strict) {
            StateDict dict = state_dict_from_py(m, mapping);
            LoadStateDictResult r = m.load_state_dict(dict, strict);
            return py::make_tuple(r.missing_keys, r.unexpected_keys);
          },
          py::arg("state_dict"), py::arg("strict") = true)
      .def("_train", &Module::train, py::arg("mode"))
      .def("_zero_grad", &Module::zero_grad)
      .def_property_readonly("_is_training", &Module::is_training)
      .def("num_parameters", &Module::num_parameters,
           "Trainable weights that can change (connection tables count only their live weights).")
      .def("extra_repr", &Module::extra_repr, "The text inside the parentheses of repr() for a leaf layer.")
      .def("_cpp_repr", &Module::repr)
      .def_property_readonly("_type_name", &Module::type_name)
      .def_property_readonly("_is_python_module", [](const Module& m) { return dynamic_cast<const PyModule*>(&m) != nullptr; });

  // ---- ConnectionTable ----
  py::class_<ConnectionTable> table(nn, "ConnectionTable", R"doc(
Which input maps each output map of a convolution reads: a boolean matrix [out, in].

``ConnectionTable(array)`` takes a bool (or 0/1 integer) NumPy array, nested list or Tensor of shape
[out, in]; every output must read at least one input. Factories: ``full``, ``lenet5``, ``random``,
``grouped``.)doc");
  table
      .def(py::init([](py::handle data) { return ConnectionTable::from_tensor(as_tensor(data)); }), py::arg("table"))
      .def_static("full", &ConnectionTable::full, py::arg("in_channels"), py::arg("out_channels"),
                  "Every output reads every input (a dense convolution).")
      .def_static("lenet5", &ConnectionTable::lenet5, "LeCun et al. 1998, table I: the 6 -> 16 C3 table (60 connections).")
      .def_static("random", &ConnectionTable::random, py::arg("in_channels"), py::arg("out_channels"),
                  py::arg("fan_in"), py::arg("seed") = 0,
                  "Each output reads ``fan_in`` distinct inputs drawn uniformly with a generator seeded by ``seed``.")
      .def_static("random_connections", &ConnectionTable::random_connections, py::arg("in_channels"),
                  py::arg("out_channels"), py::arg("connections"), py::arg("seed") = 0,
                  "Exactly ``connections`` connections spread as evenly as possible over the outputs, drawn "
                  "with a generator seeded by ``seed`` (a random table of a given density).")
      .def_static("grouped", &ConnectionTable::grouped, py::arg("in_channels"), py::arg("out_channels"),
                  py::arg("groups"), "The block-diagonal table of a grouped convolution.")
      .def_property_readonly("in_channels", &ConnectionTable::in_channels)
      .def_property_readonly("out_channels", &ConnectionTable::out_channels)
      .def_property_readonly("shape", [](const ConnectionTable& t) { return py::make_tuple(t.out_channels(), t.in_channels()); },
                             "(out_channels, in_channels).")
      .def_property_readonly("connections", &ConnectionTable::connections, "Total number of connections.")
      .def_property_readonly("density", &ConnectionTable::density, "connections / (in * out).")
      .def_property_readonly("is_full", &ConnectionTable::is_full)
      .def("inputs_of", &ConnectionTable::inputs_of, py::arg("out"), "The inputs read by output ``out``, ascending.")
      .def("connected", &ConnectionTable::connected, py::arg("out"), py::arg("in_"))
      .def(
          "numpy",
          [](const ConnectionTable& t) {
            py::array_t<bool> a({t.out_channels(), t.in_channels()});
            auto v = a.mutable_unchecked<2>();
            for (int64_t o = 0; o < t.out_channels(); ++o)
              for (int64_t i = 0; i < t.in_channels(); ++i) v(o, i) = t.connected(o, i);
            return a;
          },
          "A new bool array [out, in].")
      .def("tensor", &ConnectionTable::to_tensor, "The int64 0/1 tensor [out, in] (the `table` buffer).")
      .def("__eq__", [](const ConnectionTable& a, const ConnectionTable& b) { return a == b; }, py::is_operator())
      .def("__str__", &ConnectionTable::to_string)
      .def("__repr__", [](const ConnectionTable& t) {
        return "ConnectionTable(in_channels=" + std::to_string(t.in_channels()) +
               ", out_channels=" + std::to_string(t.out_channels()) +
               ", connections=" + std::to_string(t.connections()) + ")";
      });

  nn.def(
      "summary",
      [](Module& model, py::handle input_shape) {
        Shape s = shape_from_obj(input_shape);
        if (draws_random(model)) return summary(model, s);
        py::gil_scoped_release release;
        return summary(model, s);
      },
      py::arg("model"), py::arg("input_shape"),
      R"doc(The per-layer table of ``model`` run once on zeros of shape [1, *input_shape] (a str;
print it). Rows: dotted name and type, output shape, trainable parameters, multiply-adds per sample.)doc");
}

}  // namespace tapenet::python
