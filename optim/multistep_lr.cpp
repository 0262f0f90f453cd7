#include "optim/multistep_lr.hpp"

#include <algorithm>
#include <cmath>

namespace tapenet::optim {

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler("MultiStepLR", optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  validate(milestones_, gamma);
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

void MultiStepLR::validate(const std::vector<int64_t>& milestones, double gamma) const {
  for (int64_t m : milestones) require(m >= 0, "milestones must not be negative", static_cast<double>(m));
  require(std::isfinite(gamma) && gamma >= 0, "gamma must be finite and non-negative", gamma);
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch());
  if (hits == 0) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, static_cast<double>(hits));
  return lrs;
}

void MultiStepLR::save_hyperparameters(SchedulerState& state) const {
  state.scalars["gamma"] = gamma_;
  state.vectors["milestones"] = std::vector<double>(milestones_.begin(), milestones_.end());
}

void MultiStepLR::load_hyperparameters(const SchedulerState& state) {
  std::vector<int64_t> milestones;
  for (double m : state.vectors.at("milestones")) milestones.push_back(integer(m, "milestones"));
  const double gamma = state.scalars.at("gamma");
  validate(milestones, gamma);
  std::sort(milestones.begin(), milestones.end());
  milestones_ = std::move(milestones);
  gamma_ = gamma;
}

}  // namespace tapenet::optim
