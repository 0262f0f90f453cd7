#include "optim/optimizer.hpp"

#include <algorithm>
#include <set>

#include "framework/factories.hpp"
#include "optim/format_value.hpp"

namespace tapenet::optim {

double ParamGroup::get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end()) throw ValueError("param group has no hyper-parameter '" + name + "'");
  return it->second;
}

Optimizer::Optimizer(std::string type_name, Hyperparameters defaults, std::vector<std::string> state_names)
    : type_name_(std::move(type_name)), defaults_(std::move(defaults)), state_names_(std::move(state_names)) {}

void Optimizer::init(std::vector<ParamGroup> groups) {
  validate(defaults_);
  if (groups.empty()) throw ValueError(type_name_ + ": optimizer got an empty parameter list");
  for (ParamGroup& g : groups) add_param_group(std::move(g));
}

void Optimizer::require(bool ok, const char* what, double value) const {
  if (ok) return;
  std::string msg = type_name_;
  msg.append(": invalid ").append(what).append(" value: ").append(detail::format_value(value));
  throw ValueError(msg);
}

void Optimizer::add_param_group(ParamGroup group) {
  if (group.params.empty()) throw ValueError(type_name_ + ": optimizer got an empty parameter list");
  std::set<const TensorImpl*> seen;
  for (const ParamGroup& g : groups_)
    for (const Tensor& p : g.params) seen.insert(p.impl().get());
  for (const Tensor& p : group.params) {
    if (!p.defined()) throw ValueError(type_name_ + ": a parameter is an undefined tensor");
    if (!is_floating(p.dtype()) || !p.is_leaf())
      throw ValueError(type_name_ + ": can only optimize floating-point leaf tensors");
    if (!seen.insert(p.impl().get()).second)
      throw ValueError(type_name_ + ": some parameters appear in more than one parameter group");
  }
  for (const auto& [name, value] : group.options)
    if (!defaults_.count(name) && name != "initial_lr") {
      std::string msg = type_name_;
      msg.append(": unknown hyper-parameter '").append(name).append("'");
      throw ValueError(msg);
    }
  for (const auto& [name, value] : defaults_) group.options.emplace(name, value);
  validate(group.options);
  first_index_.push_back(static_cast<int64_t>(state_.size()));
  state_.resize(state_.size() + group.params.size());
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (ParamGroup& g : groups_)
    for (Tensor& p : g.params) {
      if (set_to_none) {
        p.zero_grad();
      } else {
        Tensor grad = p.grad();
        if (grad.defined()) grad.zero_();
      }
    }
}

Tensor Optimizer::state(int64_t param_index, const std::string& name) const {
  if (param_index < 0 || param_index >= static_cast<int64_t>(state_.size()))
    throw IndexError(type_name_ + ": parameter index " + std::to_string(param_index) + " out of range");
  const auto& s = state_[static_cast<std::size_t>(param_index)];
  auto it = s.find(name);
  return it == s.end() ? Tensor() : it->second;
}

double Optimizer::increment_step(int64_t param_index) {
  Tensor& step = state_or(param_index, "step", [] { return scalar_tensor(0.0, DType::f64); });
  return ++step.data<double>()[0];
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict out;
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (const auto& [name, t] : state_[i]) out.state.push_back({static_cast<int64_t>(i), name, t.clone()});
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    OptimizerStateDict::Group group{groups_[g].options, {}};
    for (std::size_t k = 0; k < groups_[g].params.size(); ++k)
      group.params.push_back(first_index_[g] + static_cast<int64_t>(k));
    out.param_groups.push_back(std::move(group));
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerStateDict& dict) {
  const std::string who = type_name_ + ".load_state_dict: ";
  if (dict.param_groups.size() != groups_.size())
    throw ValueError(who + "loaded state dict has " + std::to_string(dict.param_groups.size()) +
                     " parameter groups, the optimizer has " + std::to_string(groups_.size()));
  // Loaded flat index -> this optimizer's flat index, matched group by group as PyTorch does.
  std::map<int64_t, int64_t> index_map;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto& loaded = dict.param_groups[g];
    if (loaded.params.size() != groups_[g].params.size())
      throw ValueError(who + "parameter group " + std::to_string(g) + " has " + std::to_string(loaded.params.size()) +
                       " parameters in the state dict, " + std::to_string(groups_[g].params.size()) +
                       " in the optimizer");
    for (const auto& [name, value] : loaded.options)
      if (!defaults_.count(name) && name != "initial_lr")
        throw ValueError(who + "unknown hyper-parameter '" + name + "'");
    Hyperparameters merged = loaded.options;
    for (const auto& [name, value] : defaults_)
      if (!merged.count(name)) throw ValueError(who + "parameter group " + std::to_string(g) + " lacks '" + name + "'");
    validate(merged);
    for (std::size_t k = 0; k < loaded.params.size(); ++k)
      if (!index_map.emplace(loaded.params[k], first_index_[g] + static_cast<int64_t>(k)).second)
        throw ValueError(who + "parameter index " + std::to_string(loaded.params[k]) + " appears twice");
  }
  std::vector<std::map<std::string, Tensor>> state(state_.size());
  for (const StateEntry& e : dict.state) {
    auto it = index_map.find(e.param_index);
    if (it == index_map.end())
      throw ValueError(who + "state for unknown parameter index " + std::to_string(e.param_index));
    if (std::find(state_names_.begin(), state_names_.end(), e.name) == state_names_.end())
      throw ValueError(who + "unknown state '" + e.name + "'");
    if (!e.tensor.defined()) throw ValueError(who + "state '" + e.name + "' is an undefined tensor");
    const Tensor& p = param_at(it->second);
    const bool ok =
        e.name == "step" ? e.tensor.numel() == 1 : e.tensor.shape() == p.shape() && e.tensor.dtype() == p.dtype();
    if (!ok)
      throw ValueError(who + "state '" + e.name + "' of parameter " + std::to_string(e.param_index) + " has shape " +
                       shape_str(e.tensor.shape()) + " (" + dtype_name(e.tensor.dtype()) + "), the parameter " +
                       shape_str(p.shape()) + " (" + dtype_name(p.dtype()) + ")");
    Tensor copy = e.name == "step" ? scalar_tensor(e.tensor.item(), DType::f64) : e.tensor.clone();
    state[static_cast<std::size_t>(it->second)][e.name] = copy;
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].options = dict.param_groups[g].options;
  state_ = std::move(state);
}

const Tensor& Optimizer::param_at(int64_t flat_index) const {
  std::size_t g = groups_.size() - 1;
  while (first_index_[g] > flat_index) --g;
  return groups_[g].params[static_cast<std::size_t>(flat_index - first_index_[g])];
}

}  // namespace tapenet::optim
