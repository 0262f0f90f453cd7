#pragma once
/// \file CosineAnnealingLR: cosine annealing from each base rate to eta_min over T_max epochs
/// (PyTorch 1.13's CosineAnnealingLR, recursive form).
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// PyTorch's recursive form, epoch ≥ 1:
///   (epoch − 1 − T_max) mod 2·T_max = 0:  lr += (base_lr − eta_min) · (1 − cos(π / T_max)) / 2
///   otherwise: lr = (1 + cos(π·epoch / T_max)) / (1 + cos(π·(epoch − 1) / T_max)) · (lr − eta_min) + eta_min.
/// It follows the closed form eta_min + (base_lr − eta_min) · (1 + cos(π·epoch / T_max)) / 2 up to
/// rounding, and continues past T_max as a cosine with period 2·T_max (back up to base_lr).
/// Throws ValueError for T_max < 1 or eta_min not finite.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);  // NOLINT: PyTorch's name
  int64_t T_max() const { return T_max_; }
  double eta_min() const { return eta_min_; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  void validate(int64_t T_max, double eta_min) const;
  int64_t T_max_;
  double eta_min_;
};

}  // namespace tapenet::optim
