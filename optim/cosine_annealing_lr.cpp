#include "optim/cosine_annealing_lr.hpp"

#include <cmath>
#include <numbers>

namespace tapenet::optim {

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler("CosineAnnealingLR", optimizer), T_max_(T_max), eta_min_(eta_min) {
  validate(T_max, eta_min);
  initial_step();
}

void CosineAnnealingLR::validate(int64_t T_max, double eta_min) const {
  require(T_max >= 1, "T_max must be positive", static_cast<double>(T_max));
  require(std::isfinite(eta_min), "eta_min must be finite", eta_min);
}

std::vector<double> CosineAnnealingLR::get_lr() {
  using std::numbers::pi;
  std::vector<double> lrs = group_lrs();
  const int64_t epoch = last_epoch();
  if (epoch == 0) return lrs;
  const auto T = static_cast<double>(T_max_);
  if ((epoch - 1 - T_max_) % (2 * T_max_) == 0) {
    // The step after a minimum, where the ratio below would divide by 1 + cos(π) = 0.
    for (std::size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = lrs[i] + (base_lrs()[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    return lrs;
  }
  const double ratio =
      (1 + std::cos(pi * static_cast<double>(epoch) / T)) / (1 + std::cos(pi * static_cast<double>(epoch - 1) / T));
  for (double& lr : lrs) lr = ratio * (lr - eta_min_) + eta_min_;
  return lrs;
}

void CosineAnnealingLR::save_hyperparameters(SchedulerState& state) const {
  state.scalars["T_max"] = static_cast<double>(T_max_);
  state.scalars["eta_min"] = eta_min_;
}

void CosineAnnealingLR::load_hyperparameters(const SchedulerState& state) {
  const int64_t T_max = integer(state.scalars.at("T_max"), "T_max");
  const double eta_min = state.scalars.at("eta_min");
  validate(T_max, eta_min);
  T_max_ = T_max;
  eta_min_ = eta_min;
}

}  // namespace tapenet::optim
