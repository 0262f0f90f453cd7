#include "optim/step_lr.hpp"

#include <cmath>

namespace tapenet::optim {

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler("StepLR", optimizer), step_size_(step_size), gamma_(gamma) {
  validate(step_size, gamma);
  initial_step();
}

void StepLR::validate(int64_t step_size, double gamma) const {
  require(step_size >= 1, "step_size must be positive", static_cast<double>(step_size));
  require(std::isfinite(gamma) && gamma >= 0, "gamma must be finite and non-negative", gamma);
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch() == 0 || last_epoch() % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

void StepLR::save_hyperparameters(SchedulerState& state) const {
  state.scalars["step_size"] = static_cast<double>(step_size_);
  state.scalars["gamma"] = gamma_;
}

void StepLR::load_hyperparameters(const SchedulerState& state) {
  const int64_t step_size = integer(state.scalars.at("step_size"), "step_size");
  const double gamma = state.scalars.at("gamma");
  validate(step_size, gamma);
  step_size_ = step_size;
  gamma_ = gamma;
}

}  // namespace tapenet::optim
