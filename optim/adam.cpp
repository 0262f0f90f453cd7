#include "optim/adam.hpp"

#include <cmath>

#include "framework/factories.hpp"
#include "framework/kernels/optimizer_updates.hpp"

namespace tapenet::optim {

Hyperparameters AdamOptions::hyperparameters() const {
  return {{"lr", lr()},   {"beta1", betas().first},         {"beta2", betas().second},
          {"eps", eps()}, {"weight_decay", weight_decay()}, {"amsgrad", amsgrad() ? 1.0 : 0.0}};
}

Adam::Adam(std::string type_name, bool decoupled, std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(type_name), defaults.hyperparameters(), {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
      decoupled_(decoupled) {
  init(std::move(groups));
}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Adam("Adam", false, std::move(groups), defaults) {}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam("Adam", false, std::vector{ParamGroup{std::move(params), {}}}, defaults) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Adam("AdamW", true, std::move(groups), defaults) {}

AdamW::AdamW(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam("AdamW", true, std::vector{ParamGroup{std::move(params), {}}}, defaults) {}

void Adam::validate(const Hyperparameters& o) const {
  require(o.at("lr") >= 0, "learning rate", o.at("lr"));
  require(o.at("eps") >= 0, "epsilon", o.at("eps"));
  require(o.at("beta1") >= 0 && o.at("beta1") < 1, "beta parameter at index 0", o.at("beta1"));
  require(o.at("beta2") >= 0 && o.at("beta2") < 1, "beta parameter at index 1", o.at("beta2"));
  require(o.at("weight_decay") >= 0, "weight_decay", o.at("weight_decay"));
}

void Adam::step() {
  for (std::size_t gi = 0; gi < param_groups().size(); ++gi) {
    const ParamGroup& group = param_groups()[gi];
    const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2"), eps = group.get("eps"),
                 wd = group.get("weight_decay");
    const bool amsgrad = group.get("amsgrad") != 0;
    for_each_param_with_grad(gi, [&](Tensor& p, const Tensor& g, int64_t index) {
      const auto zeros = [&] { return zeros_like(p); };
      Tensor& m = state_or(index, "exp_avg", zeros);
      Tensor& v = state_or(index, "exp_avg_sq", zeros);
      Tensor vmax = amsgrad ? state_or(index, "max_exp_avg_sq", zeros) : Tensor();
      const double t = increment_step(index);
      const double bias_correction1 = 1 - std::pow(beta1, t), bias_correction2 = 1 - std::pow(beta2, t);
      dispatch_floating(p.dtype(), "Adam.step", [&]<class T>() {
        const kernels::AdamCoefficients<T> c{T(decoupled_ ? 0 : wd),
                                    T(decoupled_ ? 1 - lr * wd : 1),
                                    T(beta1),
                                    T(1 - beta1),
                                    T(beta2),
                                    T(1 - beta2),
                                    T(std::sqrt(bias_correction2)),
                                    T(eps),
                                    T(-(lr / bias_correction1))};
        kernels::adam_update<T>(p.data<T>(), g.data<T>(), m.data<T>(), v.data<T>(), vmax.defined() ? vmax.data<T>() : nullptr,
                       p.numel(), c);
      });
    });
  }
}

}  // namespace tapenet::optim
