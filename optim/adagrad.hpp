#pragma once
/// \file Adagrad with learning-rate decay (PyTorch 1.13's formulas).
#include "framework/options.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim {

struct AdagradOptions {
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  TAPENET_OPTION(AdagradOptions, double, lr, 1e-2)
  TAPENET_OPTION(AdagradOptions, double, lr_decay, 0)
  TAPENET_OPTION(AdagradOptions, double, weight_decay, 0)
  TAPENET_OPTION(AdagradOptions, double, initial_accumulator_value, 0)
  TAPENET_OPTION(AdagradOptions, double, eps, 1e-10)
 public:
  /// {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"}.
  Hyperparameters hyperparameters() const;
};

/// Per parameter, with g its gradient and t its step count (from 1):
///   g += weight_decay · p;  sum += g²;  p -= lr / (1 + (t − 1)·lr_decay) · g / (sqrt(sum) + eps).
/// State: `step` (0-d float64) and `sum` (starting at initial_accumulator_value), created at a
/// parameter's first step. Throws ValueError for lr, lr_decay, weight_decay,
/// initial_accumulator_value or eps < 0.
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults = AdagradOptions());
  Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults = AdagradOptions());
  void step() override;

 protected:
  void validate(const Hyperparameters& options) const override;
};

}  // namespace tapenet::optim
