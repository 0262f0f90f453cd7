#include "optim/adagrad.hpp"

#include <cmath>

#include "framework/factories.hpp"
#include "framework/kernels/elementwise.hpp"

namespace tapenet::optim {

namespace {

/// g' = g + wd·p;  sum += g'·g';  p += −clr · g' / (sqrt(sum) + eps).
template <class T>
void adagrad_kernel(T* p, const T* g, T* sum, int64_t n, T neg_clr, T eps, T wd) {
  parallel_for(0, n, kernels::kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T d = wd != T(0) ? g[i] + wd * p[i] : g[i];
      sum[i] = sum[i] + d * d;
      p[i] = p[i] + neg_clr * (d / (std::sqrt(sum[i]) + eps));
    }
  });
}

}  // namespace

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
        adagrad_kernel<T>(p.data<T>(), g.data<T>(), sum.data<T>(), p.numel(), T(-clr), T(eps), T(wd));
      });
    });
  }
}

}  // namespace tapenet::optim
