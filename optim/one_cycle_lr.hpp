#pragma once
/// \file OneCycleLR: the 1cycle policy (PyTorch 1.13's OneCycleLR), stepped once per batch.
#include <optional>
#include <string>

#include "framework/options.hpp"
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// `max_lr`, `base_momentum` and `max_momentum` hold one value for every group or one per group.
/// The cycle has `total_steps` steps, or `epochs · steps_per_epoch` when total_steps is not set.
struct OneCycleLROptions {
  explicit OneCycleLROptions(std::vector<double> max_lr) : max_lr_(std::move(max_lr)) {}
  TAPENET_OPTION(OneCycleLROptions, std::vector<double>, max_lr, {})
  TAPENET_OPTION(OneCycleLROptions, std::optional<int64_t>, total_steps, std::nullopt)
  TAPENET_OPTION(OneCycleLROptions, std::optional<int64_t>, epochs, std::nullopt)
  TAPENET_OPTION(OneCycleLROptions, std::optional<int64_t>, steps_per_epoch, std::nullopt)
  TAPENET_OPTION(OneCycleLROptions, double, pct_start, 0.3)
  TAPENET_OPTION(OneCycleLROptions, std::string, anneal_strategy, "cos")  ///< "cos" or "linear"
  TAPENET_OPTION(OneCycleLROptions, bool, cycle_momentum, true)
  TAPENET_OPTION(OneCycleLROptions, std::vector<double>, base_momentum, {0.85})
  TAPENET_OPTION(OneCycleLROptions, std::vector<double>, max_momentum, {0.95})
  TAPENET_OPTION(OneCycleLROptions, double, div_factor, 25.0)
  TAPENET_OPTION(OneCycleLROptions, double, final_div_factor, 1e4)
  TAPENET_OPTION(OneCycleLROptions, bool, three_phase, false)
};

/// Anneals (cosine or linear) each group's rate from initial_lr = max_lr / div_factor up to max_lr
/// over the first pct_start of the cycle, then down to min_lr = initial_lr / final_div_factor; with
/// three_phase, back to initial_lr symmetrically, then down to min_lr. Phase boundaries are
/// PyTorch's: pct_start · total_steps − 1 (and 2 · pct_start · total_steps − 2), total_steps − 1.
/// Not chainable: the rates are computed from these levels alone. Sets each group's `initial_lr`.
///
/// cycle_momentum cycles the groups' `momentum` (SGD, RMSprop) or `beta1` (Adam, AdamW) inversely
/// between max_momentum and base_momentum, starting at max_momentum.
///
/// Throws ValueError for a cycle length that is missing or not positive, pct_start outside [0, 1],
/// an unknown anneal_strategy, a list of the wrong length, div_factor or final_div_factor ≤ 0,
/// cycle_momentum with an optimizer that has neither `momentum` nor `beta1` (Adagrad), and
/// pct_start · total_steps = 1 (a warm-up of zero length: PyTorch divides by zero). step() throws
/// ValueError past total_steps, as PyTorch does.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);
  int64_t total_steps() const { return s_.total_steps; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  /// The schedule's constants; a loaded state replaces them as a whole.
  struct Settings {
    int64_t total_steps = 0;
    double pct_start = 0;
    bool linear = false;  ///< anneal_strategy "linear" (else "cos")
    bool three_phase = false;
    bool cycle_momentum = false;
    bool use_beta1 = false;  ///< cycle `beta1` rather than `momentum`
    std::vector<double> max_lrs, min_lrs, max_momentums, base_momentums;
  };
  void validate(const Settings& s) const;
  /// `values` (one, or one per group) as one value per group.
  std::vector<double> per_group_values(const std::vector<double>& values, const char* name) const;
  double anneal(double start, double end, double pct) const;

  Settings s_;
};

}  // namespace tapenet::optim
