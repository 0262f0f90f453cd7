#include "optim/linear_lr.hpp"

namespace tapenet::optim {

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler("LinearLR", optimizer),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  validate(start_factor, end_factor, total_iters);
  initial_step();
}

void LinearLR::validate(double start_factor, double end_factor, int64_t total_iters) const {
  // PyTorch 1.13 admits start_factor 0, then divides by zero at epoch 1; later versions reject it.
  require(start_factor > 0 && start_factor <= 1, "start_factor must be in (0, 1]", start_factor);
  require(end_factor >= 0 && end_factor <= 1, "end_factor must be in [0, 1]", end_factor);
  require(total_iters >= 1, "total_iters must be positive", static_cast<double>(total_iters));
}

std::vector<double> LinearLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const int64_t epoch = last_epoch();
  if (epoch == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (epoch > total_iters_) return lrs;
  const double delta = end_factor_ - start_factor_;
  const double factor =
      1. + delta / (static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(epoch - 1) * delta);
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

void LinearLR::save_hyperparameters(SchedulerState& state) const {
  state.scalars["start_factor"] = start_factor_;
  state.scalars["end_factor"] = end_factor_;
  state.scalars["total_iters"] = static_cast<double>(total_iters_);
}

void LinearLR::load_hyperparameters(const SchedulerState& state) {
  const double start_factor = state.scalars.at("start_factor");
  const double end_factor = state.scalars.at("end_factor");
  const int64_t total_iters = integer(state.scalars.at("total_iters"), "total_iters");
  validate(start_factor, end_factor, total_iters);
  start_factor_ = start_factor;
  end_factor_ = end_factor;
  total_iters_ = total_iters;
}

}  // namespace tapenet::optim
