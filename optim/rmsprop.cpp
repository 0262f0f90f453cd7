#include "optim/rmsprop.hpp"

#include <cmath>

#include "framework/factories.hpp"
#include "framework/kernels/optimizer_updates.hpp"

namespace tapenet::optim {

Hyperparameters RMSpropOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"alpha", alpha()},
          {"eps", eps()},
          {"weight_decay", weight_decay()},
          {"momentum", momentum()},
          {"centered", centered() ? 1.0 : 0.0}};
}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer("RMSprop", defaults.hyperparameters(), {"step", "square_avg", "momentum_buffer", "grad_avg"}) {
  init(std::move(groups));
}

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults)
    : RMSprop(std::vector{ParamGroup{std::move(params), {}}}, defaults) {}

void RMSprop::validate(const Hyperparameters& o) const {
  require(o.at("lr") >= 0, "learning rate", o.at("lr"));
  require(o.at("eps") >= 0, "epsilon", o.at("eps"));
  require(o.at("momentum") >= 0, "momentum", o.at("momentum"));
  require(o.at("weight_decay") >= 0, "weight_decay", o.at("weight_decay"));
  require(o.at("alpha") >= 0, "alpha", o.at("alpha"));
}

void RMSprop::step() {
  for (std::size_t gi = 0; gi < param_groups().size(); ++gi) {
    const ParamGroup& group = param_groups()[gi];
    const double lr = group.get("lr"), alpha = group.get("alpha"), eps = group.get("eps"),
                 wd = group.get("weight_decay"), momentum = group.get("momentum");
    const bool centered = group.get("centered") != 0;
    for_each_param_with_grad(gi, [&](Tensor& p, const Tensor& g, int64_t index) {
      const auto zeros = [&] { return zeros_like(p); };
      increment_step(index);
      Tensor s = state_or(index, "square_avg", zeros);
      Tensor a = centered ? state_or(index, "grad_avg", zeros) : Tensor();
      Tensor buf = momentum > 0 ? state_or(index, "momentum_buffer", zeros) : Tensor();
      dispatch_floating(p.dtype(), "RMSprop.step", [&]<class T>() {
        kernels::rmsprop_update<T>(p.data<T>(), g.data<T>(), s.data<T>(), a.defined() ? a.data<T>() : nullptr,
                          buf.defined() ? buf.data<T>() : nullptr, p.numel(), T(-lr), T(alpha), T(1 - alpha), T(eps),
                          T(wd), T(momentum));
      });
    });
  }
}

}  // namespace tapenet::optim
