// tn.optim.lr_scheduler: the learning-rate schedulers (submodule _C._lr_scheduler). Constructors
// take PyTorch's arguments; a scheduler keeps its optimizer alive.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "optim/cosine_annealing_lr.hpp"
#include "optim/exponential_lr.hpp"
#include "optim/linear_lr.hpp"
#include "optim/multistep_lr.hpp"
#include "optim/one_cycle_lr.hpp"
#include "optim/step_lr.hpp"

namespace py = pybind11;

namespace tapenet::python {

namespace {

using namespace tapenet::optim;

/// {name: float} for the scalars, {name: [float, ...]} for the vectors.
py::dict state_to_py(const SchedulerState& state) {
  py::dict out;
  for (const auto& [key, value] : state.scalars) out[py::str(key)] = value;
  for (const auto& [key, values] : state.vectors) out[py::str(key)] = py::cast(values);
  return out;
}

/// The inverse of state_to_py: numbers become scalars, sequences vectors.
SchedulerState state_from_py(const LRScheduler& scheduler, py::handle obj) {
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error(scheduler.type_name() + ".load_state_dict: expected a dict, got " +
                         std::string(py::str(py::type::of(obj))));
  SchedulerState state{scheduler.type_name(), {}, {}};
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
    auto key = k.cast<std::string>();
    if (PyNumber_Check(v.ptr()) && !py::isinstance<py::sequence>(v))
      state.scalars[key] = v.cast<double>();
    else
      state.vectors[key] = v.cast<std::vector<double>>();
  }
  return state;
}

/// PyTorch's "float or list" arguments (max_lr, momenta): one value, or one per group.
std::vector<double> values_from_py(py::handle obj) {
  if (py::isinstance<py::sequence>(obj)) return obj.cast<std::vector<double>>();
  return {obj.cast<double>()};
}

}  // namespace

void bind_lr_scheduler(py::module_& m) {
  py::module_ sched = m.def_submodule("_lr_scheduler", "The C++ side of tapenet.optim.lr_scheduler.");

  py::class_<LRScheduler, std::shared_ptr<LRScheduler>>(sched, "LRScheduler", R"doc(
Base class of the learning-rate schedulers. Construction records each group's 'initial_lr' and sets
the epoch-0 rates; step() advances one epoch (or batch, for OneCycleLR) and writes the next rates
into optimizer.param_groups[i]['lr'].)doc")
      .def("step", &LRScheduler::step, "Advances last_epoch by one and sets every group's 'lr'.")
      .def("get_last_lr", &LRScheduler::get_last_lr, "The rates the last step set, one per parameter group.")
      .def_property_readonly("last_epoch", &LRScheduler::last_epoch, "Steps taken since construction (0 after it).")
      .def_property_readonly("base_lrs", &LRScheduler::base_lrs, "Each group's 'initial_lr'.")
      .def_property_readonly("optimizer", &LRScheduler::optimizer, py::return_value_policy::reference_internal,
                             "The optimizer whose rates this scheduler sets.")
      .def(
          "state_dict", [](const LRScheduler& s) { return state_to_py(s.state_dict()); },
          "{name: float or [float, ...]}: last_epoch, base_lrs, last_lr and the hyper-parameters (copies).")
      .def(
          "load_state_dict", [](LRScheduler& s, py::handle d) { s.load_state_dict(state_from_py(s, d)); },
          py::arg("state_dict"),
          "Restores a state_dict() of the same scheduler type (hyper-parameters included); ValueError, nothing "
          "changed, on a mismatch. Load the optimizer's state dict too.");

  py::class_<StepLR, LRScheduler, std::shared_ptr<StepLR>>(sched, "StepLR", R"doc(
Decays each group's rate by gamma every step_size epochs, as torch.optim.lr_scheduler.StepLR.

``StepLR(optimizer, step_size, gamma=0.1)``)doc")
      .def(py::init<Optimizer&, int64_t, double>(), py::arg("optimizer"), py::arg("step_size"), py::arg("gamma") = 0.1,
           py::keep_alive<1, 2>())
      .def_property_readonly("step_size", &StepLR::step_size)
      .def_property_readonly("gamma", &StepLR::gamma);

  py::class_<MultiStepLR, LRScheduler, std::shared_ptr<MultiStepLR>>(sched, "MultiStepLR", R"doc(
Decays each group's rate by gamma at every milestone (epoch), as torch.optim.lr_scheduler.MultiStepLR.

``MultiStepLR(optimizer, milestones, gamma=0.1)``; a repeated milestone decays once per occurrence.)doc")
      .def(py::init<Optimizer&, std::vector<int64_t>, double>(), py::arg("optimizer"), py::arg("milestones"),
           py::arg("gamma") = 0.1, py::keep_alive<1, 2>())
      .def_property_readonly("milestones", &MultiStepLR::milestones, "The milestones, sorted.")
      .def_property_readonly("gamma", &MultiStepLR::gamma);

  py::class_<ExponentialLR, LRScheduler, std::shared_ptr<ExponentialLR>>(sched, "ExponentialLR", R"doc(
Decays each group's rate by gamma every epoch, as torch.optim.lr_scheduler.ExponentialLR.

``ExponentialLR(optimizer, gamma)``)doc")
      .def(py::init<Optimizer&, double>(), py::arg("optimizer"), py::arg("gamma"), py::keep_alive<1, 2>())
      .def_property_readonly("gamma", &ExponentialLR::gamma);

  py::class_<CosineAnnealingLR, LRScheduler, std::shared_ptr<CosineAnnealingLR>>(sched, "CosineAnnealingLR", R"doc(
Cosine annealing from each base rate to eta_min over T_max epochs (and back up after), with
torch.optim.lr_scheduler.CosineAnnealingLR's recursive formula.

``CosineAnnealingLR(optimizer, T_max, eta_min=0)``)doc")
      .def(py::init<Optimizer&, int64_t, double>(), py::arg("optimizer"), py::arg("T_max"), py::arg("eta_min") = 0.0,
           py::keep_alive<1, 2>())
      .def_property_readonly("T_max", &CosineAnnealingLR::T_max)
      .def_property_readonly("eta_min", &CosineAnnealingLR::eta_min);

  py::class_<LinearLR, LRScheduler, std::shared_ptr<LinearLR>>(sched, "LinearLR", R"doc(
Scales each base rate by a factor moving linearly from start_factor to end_factor over total_iters
epochs (a linear warm-up by default), as torch.optim.lr_scheduler.LinearLR.

``LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)``)doc")
      .def(py::init<Optimizer&, double, double, int64_t>(), py::arg("optimizer"), py::arg("start_factor") = 1.0 / 3,
           py::arg("end_factor") = 1.0, py::arg("total_iters") = 5, py::keep_alive<1, 2>())
      .def_property_readonly("start_factor", &LinearLR::start_factor)
      .def_property_readonly("end_factor", &LinearLR::end_factor)
      .def_property_readonly("total_iters", &LinearLR::total_iters);

  py::class_<OneCycleLR, LRScheduler, std::shared_ptr<OneCycleLR>>(sched, "OneCycleLR", R"doc(
The 1cycle policy, stepped once per batch, as torch.optim.lr_scheduler.OneCycleLR.

``OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
final_div_factor=1e4, three_phase=False)``; max_lr and the momenta: a float or one per group.
cycle_momentum cycles 'momentum' (SGD, RMSprop) or betas[0] (Adam, AdamW); Adagrad needs
cycle_momentum=False.)doc")
      .def(py::init([](Optimizer& optimizer, py::handle max_lr, std::optional<int64_t> total_steps,
                       std::optional<int64_t> epochs, std::optional<int64_t> steps_per_epoch, double pct_start,
                       std::string anneal_strategy, bool cycle_momentum, py::handle base_momentum,
                       py::handle max_momentum, double div_factor, double final_div_factor, bool three_phase) {
             OneCycleLROptions o(values_from_py(max_lr));
             o.total_steps(total_steps).epochs(epochs).steps_per_epoch(steps_per_epoch).pct_start(pct_start);
             o.anneal_strategy(std::move(anneal_strategy)).cycle_momentum(cycle_momentum);
             o.base_momentum(values_from_py(base_momentum)).max_momentum(values_from_py(max_momentum));
             o.div_factor(div_factor).final_div_factor(final_div_factor).three_phase(three_phase);
             return std::make_shared<OneCycleLR>(optimizer, o);
           }),
           py::arg("optimizer"), py::arg("max_lr"), py::arg("total_steps") = py::none(), py::arg("epochs") = py::none(),
           py::arg("steps_per_epoch") = py::none(), py::arg("pct_start") = 0.3, py::arg("anneal_strategy") = "cos",
           py::arg("cycle_momentum") = true, py::arg("base_momentum") = 0.85, py::arg("max_momentum") = 0.95,
           py::arg("div_factor") = 25.0, py::arg("final_div_factor") = 1e4, py::arg("three_phase") = false,
           py::keep_alive<1, 2>())
      .def_property_readonly("total_steps", &OneCycleLR::total_steps);
}

}  // namespace tapenet::python
