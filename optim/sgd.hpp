#pragma once
/// \file SGD with momentum, dampening, Nesterov momentum and weight decay (PyTorch 1.13's formulas).
#include "framework/options.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim {

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  TAPENET_OPTION(SGDOptions, double, lr, 0)
  TAPENET_OPTION(SGDOptions, double, momentum, 0)
  TAPENET_OPTION(SGDOptions, double, dampening, 0)
  TAPENET_OPTION(SGDOptions, double, weight_decay, 0)
  TAPENET_OPTION(SGDOptions, bool, nesterov, false)
 public:
  /// {"lr", "momentum", "dampening", "weight_decay", "nesterov"}.
  Hyperparameters hyperparameters() const;
};

/// Per parameter, with g its gradient:
///   g += weight_decay · p;
///   if momentum ≠ 0: buf = g at the first step, else buf = momentum · buf + (1 − dampening) · g;
///                    g = nesterov ? g + momentum · buf : buf;
///   p -= lr · g.
/// State: `momentum_buffer` (only with momentum). Throws ValueError for lr, momentum or weight_decay
/// < 0, or nesterov without momentum > 0 and dampening == 0.
class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults);
  SGD(std::vector<Tensor> params, const SGDOptions& defaults);
  void step() override;

 protected:
  void validate(const Hyperparameters& options) const override;
};

}  // namespace tapenet::optim
