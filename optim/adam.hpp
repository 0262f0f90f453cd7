#pragma once
/// \file Adam and AdamW (decoupled weight decay), with AMSGrad (PyTorch 1.13's single-tensor formulas).
#include <utility>

#include "framework/options.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim {

using Betas = std::pair<double, double>;

struct AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  TAPENET_OPTION(AdamOptions, double, lr, 1e-3)
  TAPENET_OPTION(AdamOptions, Betas, betas, Betas(0.9, 0.999))
  TAPENET_OPTION(AdamOptions, double, eps, 1e-8)
  TAPENET_OPTION(AdamOptions, double, weight_decay, 0)
  TAPENET_OPTION(AdamOptions, bool, amsgrad, false)
 public:
  /// {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"}.
  Hyperparameters hyperparameters() const;
};

/// AdamOptions with AdamW's default weight_decay = 1e-2.
struct AdamWOptions : AdamOptions {
  explicit AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay(1e-2); }
};

/// Per parameter, with g its gradient and t its step count (from 1):
///   Adam: g += weight_decay · p;  AdamW: p *= 1 − lr · weight_decay;
///   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  amsgrad: v̂ = max(v̂, v), used instead of v;
///   p -= lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps).
/// State: `step` (0-d float64), `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad). Throws
/// ValueError for lr, eps or weight_decay < 0, or a beta outside [0, 1).
class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = AdamOptions());
  Adam(std::vector<Tensor> params, const AdamOptions& defaults = AdamOptions());
  void step() override;

 protected:
  Adam(std::string type_name, bool decoupled, std::vector<ParamGroup> groups, const AdamOptions& defaults);
  void validate(const Hyperparameters& options) const override;

 private:
  bool decoupled_;  ///< AdamW's weight decay
};

/// Adam with decoupled weight decay (Loshchilov & Hutter); same state and errors as Adam.
class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, const AdamOptions& defaults = AdamWOptions());
  AdamW(std::vector<Tensor> params, const AdamOptions& defaults = AdamWOptions());
};

}  // namespace tapenet::optim
