#include "optim/sgd.hpp"

#include "framework/kernels/elementwise.hpp"

namespace tapenet::optim {

namespace {

/// g' = g + wd·p;  buf = first ? g' : m·buf + keep·g' (keep = 1 − dampening);
/// p -= lr · (nesterov ? g' + m·buf : buf). `buf` is null without momentum (then p -= lr · g').
template <class T>
void sgd_kernel(T* p, const T* g, T* buf, int64_t n, bool first, T lr, T wd, T momentum, T keep, bool nesterov) {
  parallel_for(0, n, kernels::kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T d = wd != T(0) ? g[i] + wd * p[i] : g[i];
      if (buf) {
        buf[i] = first ? d : buf[i] * momentum + keep * d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] = p[i] + (-lr) * d;
    }
  });
}

}  // namespace

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
        sgd_kernel<T>(p.data<T>(), g.data<T>(), buf.defined() ? buf.data<T>() : nullptr, p.numel(), first, T(lr), T(wd),
                      T(momentum), T(1 - dampening), nesterov);
      });
    });
  }
}

}  // namespace tapenet::optim
