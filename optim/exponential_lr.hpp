#pragma once
/// \file ExponentialLR: decay by gamma every epoch (PyTorch 1.13's ExponentialLR).
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// lr(epoch) = lr(epoch - 1) · gamma for epoch ≥ 1 (base_lr · gamma^epoch unless something else
/// changes the rates too). Throws ValueError for gamma < 0 (or not finite).
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double gamma() const { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  void validate(double gamma) const;
  double gamma_;
};

}  // namespace tapenet::optim
