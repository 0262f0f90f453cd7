#include "optim/sgd.hpp"

#include "framework/kernels/optimizer_updates.hpp"

namespace tapenet::optim {

Hyperparameters SGDOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"momentum", momentum()},
          {"dampening", dampening()},
          {"weight_decay", weight_decay()},
          {"nesterov", nesterov() ? 1.0 : 0.0}};
}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults)
    : Optimizer("SGD", defaults.hyperparameters(), {"momentum_buffer"}) {
  init(std::move(groups));
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions& defaults)
    : SGD(std::vector{ParamGroup{std::move(params), {}}}, defaults) {}

void SGD::validate(const Hyperparameters& o) const {
  require(o.at("lr") >= 0, "learning rate", o.at("lr"));
  require(o.at("momentum") >= 0, "momentum", o.at("momentum"));
  require(o.at("weight_decay") >= 0, "weight_decay", o.at("weight_decay"));
  if (o.at("nesterov") != 0 && (o.at("momentum") <= 0 || o.at("dampening") != 0))
    throw ValueError("SGD: nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  for (std::size_t gi = 0; gi < param_groups().size(); ++gi) {
    const ParamGroup& group = param_groups()[gi];
    const double lr = group.get("lr"), momentum = group.get("momentum"), dampening = group.get("dampening"),
                 wd = group.get("weight_decay");
    const bool nesterov = group.get("nesterov") != 0;
    for_each_param_with_grad(gi, [&](Tensor& p, const Tensor& g, int64_t index) {
      dispatch_floating(p.dtype(), "SGD.step", [&]<class T>() {
        Tensor buf;
        bool first = false;
        if (momentum != 0)
          buf = state_or(index, "momentum_buffer", [&] {
            first = true;
            return Tensor::empty(p.shape(), p.dtype());
          });
        kernels::sgd_update<T>(p.data<T>(), g.data<T>(), buf.defined() ? buf.data<T>() : nullptr, p.numel(), first, T(lr), T(wd),
                      T(momentum), T(1 - dampening), nesterov);
      });
    });
  }
}

}  // namespace tapenet::optim
