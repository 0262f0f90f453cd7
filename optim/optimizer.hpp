#pragma once
/// \file Optimizer: the base of every optimizer (PyTorch 1.13 semantics). Parameter groups with their
/// own hyper-parameters, per-parameter state tensors, zero_grad and in-memory state dicts.
///
/// Hyper-parameters are named doubles (booleans as 0 / 1, Adam's betas as `beta1`, `beta2`), the
/// same names as PyTorch's `param_groups` keys. A scheduler reads and writes a group's `lr`
/// between steps; `step()` reads every hyper-parameter afresh.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::optim {

/// Hyper-parameters by name, e.g. {"lr", 0.1}, {"momentum", 0.9}, {"nesterov", 1}.
using Hyperparameters = std::map<std::string, double>;

/// Parameters that share hyper-parameters (PyTorch's `{'params': [...], 'lr': ...}`).
struct ParamGroup {
  std::vector<Tensor> params;
  /// Keys left out take the optimizer's defaults at construction; afterwards the map holds every
  /// hyper-parameter of the optimizer (and whatever a scheduler adds, such as `initial_lr`).
  Hyperparameters options;

  /// The value of hyper-parameter `name`; throws ValueError when the group has none.
  double get(const std::string& name) const;
  double lr() const { return get("lr"); }
  void set_lr(double lr) { options["lr"] = lr; }
};

/// One per-parameter state tensor: parameter `param_index` (its position in the flat list of all
/// groups' parameters, in order), state `name` ("step", "momentum_buffer", "exp_avg", ...).
struct StateEntry {
  int64_t param_index = 0;
  std::string name;
  Tensor tensor;
};

/// An optimizer's state in memory, like PyTorch's `optimizer.state_dict()`.
struct OptimizerStateDict {
  struct Group {
    Hyperparameters options;
    std::vector<int64_t> params;  ///< flat parameter indices
  };
  /// Sorted by parameter index, then by name; parameters without state (never stepped) are absent.
  std::vector<StateEntry> state;
  std::vector<Group> param_groups;
};

/// The base of every optimizer. Parameters are identified by their flat index (groups in order, then
/// position in the group); state is kept per index. Not thread-safe: one thread steps at a time.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Performs one update of every parameter whose gradient is defined (others are skipped, and
  /// get no state). Runs without recording on the tape; the update kernels use parallel_for.
  virtual void step() = 0;

  /// Drops every gradient (`set_to_none`, the default) or zeroes it in place.
  void zero_grad(bool set_to_none = true);

  /// Adds a group; missing hyper-parameters take the defaults. Throws ValueError for an empty
  /// group, a parameter already in a group, a non-floating or non-leaf parameter, an unknown
  /// hyper-parameter name or an invalid value.
  void add_param_group(ParamGroup group);

  /// The groups. Hyper-parameters may be changed in place between steps (a scheduler writes `lr`);
  /// the `params` lists must not be changed (use add_param_group).
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  /// The default hyper-parameters the optimizer was constructed with.
  const Hyperparameters& defaults() const { return defaults_; }
  /// "SGD", "Adam", "AdamW", "RMSprop", "Adagrad".
  const std::string& type_name() const { return type_name_; }

  /// The state tensor `name` of a parameter (flat index), or an undefined tensor. Shares data.
  Tensor state(int64_t param_index, const std::string& name) const;

  /// Deep copies of the state and the groups' hyper-parameters.
  OptimizerStateDict state_dict() const;
  /// Copies a state dict (from an optimizer of the same type over parameters of the same shapes)
  /// into this one. Throws ValueError, changing nothing, when the groups or their sizes differ,
  /// a state tensor does not match its parameter's shape and dtype (0-d `step` excepted), an index
  /// or state name is unknown, or a hyper-parameter is invalid.
  void load_state_dict(const OptimizerStateDict& dict);

 protected:
  /// `defaults` names every hyper-parameter of the optimizer (with its default value);
  /// `state_names` every state tensor it keeps.
  Optimizer(std::string type_name, Hyperparameters defaults, std::vector<std::string> state_names);
  /// Validates the defaults and adds the groups: called at the end of a derived constructor (where
  /// validate() is the derived one). Throws ValueError as add_param_group, or for no groups.
  void init(std::vector<ParamGroup> groups);

  /// Throws ValueError naming the optimizer and the value when a hyper-parameter is invalid.
  virtual void validate(const Hyperparameters& options) const = 0;

  /// The state tensor `name` of the parameter with flat index `param_index`, created by `init`
  /// on first use.
  template <class Init>
  Tensor& state_or(int64_t param_index, const std::string& name, Init init) {
    Tensor& t = state_[static_cast<std::size_t>(param_index)][name];
    if (!t.defined()) t = init();
    return t;
  }
  /// Calls fn(param, grad, flat index) for every parameter of `group` with a defined gradient.
  template <class Fn>
  void for_each_param_with_grad(std::size_t group, Fn fn) {
    int64_t index = first_index_[group];
    for (Tensor& p : groups_[group].params) {
      Tensor g = p.grad();
      if (g.defined()) fn(p, g, index);
      ++index;
    }
  }
  /// Throws ValueError "<type>: invalid <what> value: <value>" unless `ok`.
  void require(bool ok, const char* what, double value) const;
  /// Adds 1 to the 0-d float64 `step` state of a parameter (created at 0) and returns the new count.
  double increment_step(int64_t param_index);

 private:
  const Tensor& param_at(int64_t flat_index) const;

  std::string type_name_;
  Hyperparameters defaults_;
  std::vector<std::string> state_names_;
  std::vector<ParamGroup> groups_;
  std::vector<int64_t> first_index_;                  ///< flat index of each group's first parameter
  std::vector<std::map<std::string, Tensor>> state_;  ///< by flat parameter index
};

}  // namespace tapenet::optim
