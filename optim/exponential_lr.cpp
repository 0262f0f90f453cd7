#include "optim/exponential_lr.hpp"

#include <cmath>

namespace tapenet::optim {

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler("ExponentialLR", optimizer), gamma_(gamma) {
  validate(gamma);
  initial_step();
}

void ExponentialLR::validate(double gamma) const {
  require(std::isfinite(gamma) && gamma >= 0, "gamma must be finite and non-negative", gamma);
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch() == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

void ExponentialLR::save_hyperparameters(SchedulerState& state) const { state.scalars["gamma"] = gamma_; }

void ExponentialLR::load_hyperparameters(const SchedulerState& state) {
  const double gamma = state.scalars.at("gamma");
  validate(gamma);
  gamma_ = gamma;
}

}  // namespace tapenet::optim
