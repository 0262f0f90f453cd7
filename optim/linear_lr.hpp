#pragma once
/// \file LinearLR: scale each base rate by a factor moving linearly from start_factor to end_factor
/// over total_iters epochs, e.g. a linear warm-up (PyTorch 1.13's LinearLR, recursive form).
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// lr(0) = lr · start_factor; for 1 ≤ epoch ≤ total_iters
///   lr *= 1 + (end_factor − start_factor) / (total_iters·start_factor + (epoch − 1)·(end_factor − start_factor)),
/// unchanged afterwards: base_lr · (start_factor + (end_factor − start_factor) · min(epoch, total_iters) /
/// total_iters) up to rounding. Throws ValueError for start_factor outside (0, 1], end_factor
/// outside [0, 1] or total_iters < 1.
class LinearLR : public LRScheduler {
 public:
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                    int64_t total_iters = 5);
  double start_factor() const { return start_factor_; }
  double end_factor() const { return end_factor_; }
  int64_t total_iters() const { return total_iters_; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  void validate(double start_factor, double end_factor, int64_t total_iters) const;
  double start_factor_;
  double end_factor_;
  int64_t total_iters_;
};

}  // namespace tapenet::optim
