#pragma once
/// \file StepLR: decay by gamma every step_size epochs (PyTorch 1.13's StepLR).
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// lr(epoch) = lr(epoch - 1) · gamma when epoch is a positive multiple of step_size, else unchanged:
/// base_lr · gamma^⌊epoch / step_size⌋ unless something else changes the rates too. Throws
/// ValueError for step_size < 1 or gamma < 0 (or not finite).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  int64_t step_size() const { return step_size_; }
  double gamma() const { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  void validate(int64_t step_size, double gamma) const;
  int64_t step_size_;
  double gamma_;
};

}  // namespace tapenet::optim
