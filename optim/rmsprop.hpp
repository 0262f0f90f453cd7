#pragma once
/// \file RMSprop, optionally centered and with momentum (PyTorch 1.13's formulas).
#include "framework/options.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim {

struct RMSpropOptions {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  TAPENET_OPTION(RMSpropOptions, double, lr, 1e-2)
  TAPENET_OPTION(RMSpropOptions, double, alpha, 0.99)
  TAPENET_OPTION(RMSpropOptions, double, eps, 1e-8)
  TAPENET_OPTION(RMSpropOptions, double, weight_decay, 0)
  TAPENET_OPTION(RMSpropOptions, double, momentum, 0)
  TAPENET_OPTION(RMSpropOptions, bool, centered, false)
 public:
  /// {"lr", "alpha", "eps", "weight_decay", "momentum", "centered"}.
  Hyperparameters hyperparameters() const;
};

/// Per parameter, with g its gradient:
///   g += weight_decay · p;  s = α·s + (1 − α)·g²;
///   centered: a = α·a + (1 − α)·g, avg = sqrt(s − a²) + eps;  else avg = sqrt(s) + eps;
///   momentum > 0: buf = momentum·buf + g / avg, p -= lr · buf;  else p -= lr · g / avg.
/// State: `step` (0-d float64), `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg`
/// (centered), all starting at zero. Throws ValueError for lr, eps, momentum, weight_decay or
/// alpha < 0.
class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults = RMSpropOptions());
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = RMSpropOptions());
  void step() override;

 protected:
  void validate(const Hyperparameters& options) const override;
};

}  // namespace tapenet::optim
