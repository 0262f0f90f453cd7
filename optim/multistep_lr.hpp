#pragma once
/// \file MultiStepLR: decay by gamma at given epochs (PyTorch 1.13's MultiStepLR).
#include "optim/lr_scheduler.hpp"

namespace tapenet::optim {

/// lr(epoch) = lr(epoch - 1) · gamma^k when `epoch` occurs k times in `milestones`, else unchanged
/// (a milestone 0 decays the initial rate, a repeated milestone decays k times, as in PyTorch's
/// Counter). The milestones may come in any order; they are kept sorted. Throws ValueError for a
/// negative milestone or gamma < 0 (or not finite).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);
  const std::vector<int64_t>& milestones() const { return milestones_; }
  double gamma() const { return gamma_; }

 protected:
  std::vector<double> get_lr() override;
  void save_hyperparameters(SchedulerState& state) const override;
  void load_hyperparameters(const SchedulerState& state) override;

 private:
  void validate(const std::vector<int64_t>& milestones, double gamma) const;
  std::vector<int64_t> milestones_;  ///< sorted, repeats kept
  double gamma_;
};

}  // namespace tapenet::optim
