#pragma once
/// \file LRScheduler: the base of the learning-rate schedules (PyTorch 1.13's `_LRScheduler`).
///
/// A scheduler drives the `lr` of every parameter group of an optimizer. Construction records each
/// group's `initial_lr` (kept when already present, as PyTorch's `setdefault`) and performs the
/// initial step, so the optimizer holds the schedule's rate for epoch 0 at once. Each `step()`
/// advances `last_epoch` and writes the next rates into the groups. The schedules use PyTorch's
/// recursive (chainable) `get_lr` formulas on the groups' current rates, in the same order of
/// floating-point operations, so the sequences equal PyTorch's in double arithmetic.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "optim/optimizer.hpp"

namespace tapenet::optim {

/// A scheduler's state in memory: enough to resume a schedule exactly. Integers (epochs, step
/// sizes, milestones) and flags (0 / 1) are stored as doubles, so a checkpoint writes two kinds of
/// entries: named scalars and named vectors.
struct SchedulerState {
  std::string type;                                    ///< type_name() of the scheduler
  std::map<std::string, double> scalars;               ///< last_epoch and the hyper-parameters
  std::map<std::string, std::vector<double>> vectors;  ///< base_lrs, last_lr, per-group values
};

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// Advances last_epoch by one and sets each group's `lr` to the schedule's next value. Throws
  /// ValueError, changing nothing, when the optimizer's number of groups changed since construction
  /// or the schedule has no next value (OneCycleLR past total_steps).
  void step();

  /// The rates the last step (or the construction) wrote, one per parameter group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// Steps taken since construction: 0 right after it (PyTorch's `last_epoch`).
  int64_t last_epoch() const { return last_epoch_; }
  /// Each group's `initial_lr`: the rates the schedule starts from.
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  /// "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR".
  const std::string& type_name() const { return type_name_; }
  /// The optimizer whose groups this scheduler drives (it must outlive the scheduler).
  Optimizer& optimizer() const { return optimizer_; }

  /// last_epoch, base_lrs, last_lr and the hyper-parameters. The optimizer's rates are not part
  /// of it (they are in the optimizer's state dict), as in PyTorch.
  SchedulerState state_dict() const;
  /// Restores a state from state_dict() of a scheduler of the same type over as many parameter
  /// groups, hyper-parameters included; the next step() continues that schedule. Restore the
  /// optimizer's state dict too: the chainable formulas start from the groups' current rates.
  /// Throws ValueError, changing nothing, for another type, a missing or unexpected key, a vector
  /// of the wrong length or an invalid value.
  void load_state_dict(const SchedulerState& state);

 protected:
  /// Attaches to `optimizer`; the derived constructor validates its arguments and then calls
  /// initial_step().
  LRScheduler(std::string type_name, Optimizer& optimizer);

  /// Records `initial_lr` and base_lrs, then takes the first step (to last_epoch 0).
  void initial_step();

  /// The rates for last_epoch() (already advanced), one per group: PyTorch's chainable `get_lr`.
  virtual std::vector<double> get_lr() = 0;
  /// Adds the scheduler's own entries to `state`.
  virtual void save_hyperparameters(SchedulerState& state) const = 0;
  /// Validates and adopts the entries save_hyperparameters() writes (all present: the keys were
  /// checked); throws ValueError without changing anything when a value is invalid.
  virtual void load_hyperparameters(const SchedulerState& state) = 0;

  /// Each group's current `lr`.
  std::vector<double> group_lrs() const;
  std::size_t num_groups() const { return optimizer_.param_groups().size(); }
  /// Throws ValueError "<type>: <what>, got <value>" unless `ok`.
  void require(bool ok, const std::string& what, double value) const;
  /// `value` (a loaded entry `key`) as an integer; throws ValueError when it is not one.
  int64_t integer(double value, const std::string& key) const;
  /// The vector `key` of `state`; throws ValueError unless it has one value per group.
  const std::vector<double>& per_group(const SchedulerState& state, const std::string& key) const;

 private:
  std::string type_name_;
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  std::vector<double> last_lr_;
};

}  // namespace tapenet::optim
