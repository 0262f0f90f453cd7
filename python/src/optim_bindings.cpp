// tn.optim: the optimizers (submodule _C._optim) and the gradient-clipping functions behind
// tn.nn.utils. Constructors take PyTorch's arguments: an iterable of tensors or of group dicts.
// Python's `param_groups` (live dict views) and repr live in python/tapenet/optim/__init__.py.
#include <memory>
#include <string>
#include <utility>

#include "bindings.hpp"
#include "convert.hpp"
#include "framework/factories.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/clip_grad.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

namespace tapenet::python {

namespace {

using namespace tapenet::optim;

/// Hyper-parameters that Python sees as bools.
bool is_flag(const std::string& key) { return key == "nesterov" || key == "amsgrad" || key == "centered"; }

/// Stores a Python value under `key`: 'betas' (a pair) becomes beta1 and beta2, bools 0 / 1.
void put_option(Hyperparameters& options, const std::string& key, py::handle value) {
  if (key == "betas") {
    auto betas = value.cast<std::pair<double, double>>();
    options["beta1"] = betas.first;
    options["beta2"] = betas.second;
    return;
  }
  if (!PyNumber_Check(value.ptr()) || py::isinstance<Tensor>(value))
    throw py::type_error("param group '" + key + "' must be a number, got " +
                         std::string(py::str(py::type::of(value))));
  options[key] = value.cast<double>();
}

/// Hyper-parameters as PyTorch's group keys ('betas' as a tuple, flags as bools).
py::dict options_to_py(const Hyperparameters& options) {
  py::dict out;
  for (const auto& [key, value] : options) {
    if (key == "beta2" || (key == "beta1" && !options.count("beta2"))) continue;
    if (key == "beta1")
      out["betas"] = py::make_tuple(value, options.at("beta2"));
    else if (is_flag(key))
      out[py::str(key)] = py::bool_(value != 0);
    else
      out[py::str(key)] = value;
  }
  return out;
}

/// A tensor, or an iterable of tensors (a generator such as model.parameters() included).
std::vector<Tensor> tensors_from_py(py::handle obj, const char* what) {
  if (py::isinstance<Tensor>(obj)) return {obj.cast<Tensor>()};
  std::vector<Tensor> out;
  for (py::handle item : py::iter(obj)) {
    if (!py::isinstance<Tensor>(item))
      throw py::type_error(std::string(what) + " must contain Tensors, got " +
                           std::string(py::str(py::type::of(item))));
    out.push_back(item.cast<Tensor>());
  }
  return out;
}

ParamGroup group_from_dict(py::handle obj) {
  auto d = py::reinterpret_borrow<py::dict>(obj);
  if (!d.contains("params")) throw ValueError("a parameter group needs a 'params' entry");
  ParamGroup g;
  for (auto [k, v] : d) {
    auto key = k.cast<std::string>();
    if (key == "params")
      g.params = tensors_from_py(v, "'params'");
    else
      put_option(g.options, key, v);
  }
  return g;
}

/// PyTorch's `params` argument: an iterable of tensors (one group) or of dicts (one group each).
std::vector<ParamGroup> groups_from_py(py::handle params, const std::string& who) {
  if (py::isinstance<Tensor>(params) || !py::isinstance<py::iterable>(params))
    throw py::type_error(
        who + ": params argument given to the optimizer should be an iterable of Tensors or dicts, but got " +
        std::string(py::str(py::type::of(params))));
  auto items = py::list(py::reinterpret_borrow<py::object>(params));
  if (items.size() > 0 && py::isinstance<py::dict>(items[0])) {
    std::vector<ParamGroup> groups;
    for (py::handle item : items) {
      if (!py::isinstance<py::dict>(item)) throw py::type_error(who + ": expected every parameter group to be a dict");
      groups.push_back(group_from_dict(item));
    }
    return groups;
  }
  return {ParamGroup{tensors_from_py(items, "params"), {}}};
}

/// SGD's required lr: None is allowed only when every group gives its own.
double required_lr(py::handle lr, const std::vector<ParamGroup>& groups) {
  if (!lr.is_none()) return lr.cast<double>();
  for (const ParamGroup& g : groups)
    if (!g.options.count("lr"))
      throw ValueError("SGD: parameter group didn't specify a value of required optimization parameter lr");
  return 0.0;
}

py::dict state_dict_to_py(const OptimizerStateDict& sd) {
  py::dict state;
  for (const StateEntry& e : sd.state) {
    py::int_ index(e.param_index);
    if (!state.contains(index)) state[index] = py::dict();
    state[index].cast<py::dict>()[py::str(e.name)] = e.tensor;
  }
  py::list groups;
  for (const auto& g : sd.param_groups) {
    py::dict d = options_to_py(g.options);
    d["params"] = g.params;
    groups.append(d);
  }
  py::dict out;
  out["state"] = state;
  out["param_groups"] = groups;
  return out;
}

OptimizerStateDict state_dict_from_py(const Optimizer& opt, py::handle obj) {
  if (!py::isinstance<py::dict>(obj) || !obj.contains("state") || !obj.contains("param_groups"))
    throw ValueError(opt.type_name() + ".load_state_dict: expected a dict with 'state' and 'param_groups'");
  OptimizerStateDict sd;
  for (py::handle item : obj["param_groups"]) {
    OptimizerStateDict::Group g;
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(item)) {
      auto key = k.cast<std::string>();
      if (key == "params")
        g.params = v.cast<std::vector<int64_t>>();
      else
        put_option(g.options, key, v);
    }
    sd.param_groups.push_back(std::move(g));
  }
  // Entries take their parameter's dtype (so NumPy or torch float64 state fills float32 parameters).
  std::vector<DType> dtypes;
  for (const ParamGroup& g : opt.param_groups())
    for (const Tensor& p : g.params) dtypes.push_back(p.dtype());
  for (auto [index, entries] : py::reinterpret_borrow<py::dict>(obj["state"])) {
    const auto i = index.cast<int64_t>();
    for (auto [name, value] : py::reinterpret_borrow<py::dict>(entries)) {
      auto key = name.cast<std::string>();
      std::optional<DType> dtype;
      if (key == "step")
        dtype = DType::f64;
      else if (i >= 0 && i < static_cast<int64_t>(dtypes.size()))
        dtype = dtypes[static_cast<std::size_t>(i)];
      Tensor t = py::isinstance<Tensor>(value) ? value.cast<Tensor>() : as_tensor(value, dtype);
      sd.state.push_back({i, key, t});
    }
  }
  return sd;
}

/// torch's step(closure=None): the closure (re-evaluating the loss) runs first, with the GIL.
py::object step(Optimizer& opt, py::object closure) {
  py::object loss = closure.is_none() ? py::none() : closure();
  {
    py::gil_scoped_release release;
    opt.step();
  }
  return loss;
}

/// A 0-d tensor of the gradients' dtype (float32 without gradients), as torch returns.
Tensor norm_tensor(const std::vector<Tensor>& params, double value) {
  for (const Tensor& p : params)
    if (p.grad().defined()) return scalar_tensor(value, p.grad().dtype());
  return scalar_tensor(value);
}

}  // namespace

void bind_optim(py::module_& m) {
  py::module_ optim = m.def_submodule("_optim", "The C++ side of tapenet.optim.");

  py::class_<Optimizer, std::shared_ptr<Optimizer>>(optim, "Optimizer", "Base class of the optimizers.")
      .def("step", &step, py::arg("closure") = py::none(),
           "One update of every parameter with a gradient. `closure` (re-evaluating the loss) runs first; "
           "its result is returned.")
      .def("zero_grad", &Optimizer::zero_grad, py::arg("set_to_none") = true,
           "Drops every gradient (set_to_none=True) or zeroes it in place.")
      .def(
          "add_param_group", [](Optimizer& o, py::handle group) { o.add_param_group(group_from_dict(group)); },
          py::arg("param_group"), "Adds a group dict ({'params': [...], 'lr': ...}); missing keys take the defaults.")
      .def_property_readonly(
          "defaults", [](const Optimizer& o) { return options_to_py(o.defaults()); }, "The default hyper-parameters.")
      .def(
          "state_dict", [](const Optimizer& o) { return state_dict_to_py(o.state_dict()); },
          "{'state': {index: {name: Tensor}}, 'param_groups': [{..., 'params': [index, ...]}]} (deep copies).")
      .def(
          "load_state_dict", [](Optimizer& o, py::handle d) { o.load_state_dict(state_dict_from_py(o, d)); },
          py::arg("state_dict"), "Restores hyper-parameters and state; ValueError (nothing changed) on a mismatch.")
      .def("_num_groups", [](const Optimizer& o) { return o.param_groups().size(); })
      .def("_group_params", [](const Optimizer& o, std::size_t i) { return o.param_groups().at(i).params; })
      .def("_group_options",
           [](const Optimizer& o, std::size_t i) { return options_to_py(o.param_groups().at(i).options); })
      .def("_group_set", [](Optimizer& o, std::size_t i, const std::string& key, py::handle value) {
        put_option(o.param_groups().at(i).options, key, value);
      });

  py::class_<SGD, Optimizer, std::shared_ptr<SGD>>(optim, "SGD", R"doc(
Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as torch.optim.SGD.

``SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)``)doc")
      .def(py::init([](py::handle params, py::handle lr, double momentum, double dampening, double weight_decay,
                       bool nesterov) {
             auto groups = groups_from_py(params, "SGD");
             SGDOptions o(required_lr(lr, groups));
             o.momentum(momentum).dampening(dampening).weight_decay(weight_decay).nesterov(nesterov);
             return std::make_shared<SGD>(std::move(groups), o);
           }),
           py::arg("params"), py::arg("lr") = py::none(), py::arg("momentum") = 0.0, py::arg("dampening") = 0.0,
           py::arg("weight_decay") = 0.0, py::arg("nesterov") = false);

  const auto adam_options = [](double lr, std::pair<double, double> betas, double eps, double wd, bool amsgrad) {
    return AdamOptions(lr).betas(betas).eps(eps).weight_decay(wd).amsgrad(amsgrad);
  };
  py::class_<Adam, Optimizer, std::shared_ptr<Adam>>(optim, "Adam", R"doc(
Adam (with AMSGrad), as torch.optim.Adam; weight decay is added to the gradient.

``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``)doc")
      .def(py::init([adam_options](py::handle params, double lr, std::pair<double, double> betas, double eps,
                                   double weight_decay, bool amsgrad) {
             return std::make_shared<Adam>(groups_from_py(params, "Adam"),
                                           adam_options(lr, betas, eps, weight_decay, amsgrad));
           }),
           py::arg("params"), py::arg("lr") = 1e-3, py::arg("betas") = std::pair(0.9, 0.999), py::arg("eps") = 1e-8,
           py::arg("weight_decay") = 0.0, py::arg("amsgrad") = false);
  py::class_<AdamW, Adam, std::shared_ptr<AdamW>>(optim, "AdamW", R"doc(
Adam with decoupled weight decay (the parameter shrinks by lr * weight_decay each step), as torch.optim.AdamW.

``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)``)doc")
      .def(py::init([adam_options](py::handle params, double lr, std::pair<double, double> betas, double eps,
                                   double weight_decay, bool amsgrad) {
             return std::make_shared<AdamW>(groups_from_py(params, "AdamW"),
                                            adam_options(lr, betas, eps, weight_decay, amsgrad));
           }),
           py::arg("params"), py::arg("lr") = 1e-3, py::arg("betas") = std::pair(0.9, 0.999), py::arg("eps") = 1e-8,
           py::arg("weight_decay") = 1e-2, py::arg("amsgrad") = false);

  py::class_<RMSprop, Optimizer, std::shared_ptr<RMSprop>>(optim, "RMSprop", R"doc(
RMSprop, optionally centered and with momentum, as torch.optim.RMSprop.

``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False)``)doc")
      .def(py::init([](py::handle params, double lr, double alpha, double eps, double weight_decay, double momentum,
                       bool centered) {
             RMSpropOptions o(lr);
             o.alpha(alpha).eps(eps).weight_decay(weight_decay).momentum(momentum).centered(centered);
             return std::make_shared<RMSprop>(groups_from_py(params, "RMSprop"), o);
           }),
           py::arg("params"), py::arg("lr") = 1e-2, py::arg("alpha") = 0.99, py::arg("eps") = 1e-8,
           py::arg("weight_decay") = 0.0, py::arg("momentum") = 0.0, py::arg("centered") = false);

  py::class_<Adagrad, Optimizer, std::shared_ptr<Adagrad>>(optim, "Adagrad", R"doc(
Adagrad with learning-rate decay, as torch.optim.Adagrad (state is created at a parameter's first step).

``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10)``)doc")
      .def(py::init([](py::handle params, double lr, double lr_decay, double weight_decay,
                       double initial_accumulator_value, double eps) {
             AdagradOptions o(lr);
             o.lr_decay(lr_decay)
                 .weight_decay(weight_decay)
                 .initial_accumulator_value(initial_accumulator_value)
                 .eps(eps);
             return std::make_shared<Adagrad>(groups_from_py(params, "Adagrad"), o);
           }),
           py::arg("params"), py::arg("lr") = 1e-2, py::arg("lr_decay") = 0.0, py::arg("weight_decay") = 0.0,
           py::arg("initial_accumulator_value") = 0.0, py::arg("eps") = 1e-10);

  optim.def(
      "clip_grad_norm_",
      [](py::handle parameters, double max_norm, double norm_type) {
        auto params = tensors_from_py(parameters, "parameters");
        double total = 0;
        {
          py::gil_scoped_release release;
          total = clip_grad_norm_(params, max_norm, norm_type);
        }
        return norm_tensor(params, total);
      },
      py::arg("parameters"), py::arg("max_norm"), py::arg("norm_type") = 2.0);
  optim.def(
      "clip_grad_value_",
      [](py::handle parameters, double clip_value) {
        auto params = tensors_from_py(parameters, "parameters");
        py::gil_scoped_release release;
        clip_grad_value_(params, clip_value);
      },
      py::arg("parameters"), py::arg("clip_value"));
}

}  // namespace tapenet::python
