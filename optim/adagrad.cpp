#include "optim/adagrad.hpp"

#include <cmath>

#include "framework/factories.hpp"
#include "framework/kernels/optimizer_updates.hpp"

namespace tapenet::optim {

Hyperparameters AdagradOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"lr_decay", lr_decay()},
          {"weight_decay", weight_decay()},
          {"initial_accumulator_value", initial_accumulator_value()},
          {"eps", eps()}};
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer("Adagrad", defaults.hyperparameters(), {"step", "sum"}) {
  init(std::move(groups));
}

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults)
    : Adagrad(std::vector{ParamGroup{std::move(params), {}}}, defaults) {}

void Adagrad::validate(const Hyperparameters& o) const {
  require(o.at("lr") >= 0, "learning rate", o.at("lr"));
  require(o.at("lr_decay") >= 0, "lr_decay", o.at("lr_decay"));
  require(o.at("weight_decay") >= 0, "weight_decay", o.at("weight_decay"));
  require(o.at("initial_accumulator_value") >= 0, "initial_accumulator_value", o.at("initial_accumulator_value"));
  require(o.at("eps") >= 0, "epsilon", o.at("eps"));
}

void Adagrad::step() {
  for (std::size_t gi = 0; gi < param_groups().size(); ++gi) {
    const ParamGroup& group = param_groups()[gi];
    const double lr = group.get("lr"), lr_decay = group.get("lr_decay"), wd = group.get("weight_decay"),
                 init_value = group.get("initial_accumulator_value"), eps = group.get("eps");
    for_each_param_with_grad(gi, [&](Tensor& p, const Tensor& g, int64_t index) {
      Tensor sum = state_or(index, "sum", [&] { return full(p.shape(), init_value, p.dtype()); });
      const double t = increment_step(index);
      const double clr = lr / (1 + (t - 1) * lr_decay);
      dispatch_floating(p.dtype(), "Adagrad.step", [&]<class T>() {
        kernels::adagrad_update<T>(p.data<T>(), g.data<T>(), sum.data<T>(), p.numel(), T(-clr), T(eps), T(wd));
      });
    });
  }
}

}  // namespace tapenet::optim
