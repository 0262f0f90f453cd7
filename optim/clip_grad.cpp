#include "optim/clip_grad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "framework/kernels/elementwise.hpp"
#include "framework/kernels/optimizer_updates.hpp"

namespace tapenet::optim {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  if (!(norm_type > 0)) throw ValueError("clip_grad_norm_: invalid norm_type value: " + std::to_string(norm_type));
  const bool is_inf = std::isinf(norm_type);
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  double total = 0;
  for (const Tensor& g : grads) {
    const double part = dispatch_floating(g.dtype(), "clip_grad_norm_",
                                          [&]<class T>() { return kernels::lp_norm_part(g.data<T>(), g.numel(), norm_type); });
    total = is_inf ? std::max(total, part) : total + part;
  }
  if (!is_inf) total = norm_type == 2 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  const double coef = std::min(1.0, max_norm / (total + 1e-6));
  for (Tensor& g : grads)
    dispatch_floating(g.dtype(), "clip_grad_norm_", [&]<class T>() {
      kernels::map(g.data<T>(), g.data<T>(), g.numel(), [c = T(coef)](T x) { return x * c; });
    });
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  if (!(clip_value >= 0)) throw ValueError("clip_grad_value_: invalid clip_value value: " + std::to_string(clip_value));
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    dispatch_floating(g.dtype(), "clip_grad_value_", [&]<class T>() {
      kernels::map(g.data<T>(), g.data<T>(), g.numel(),
                   [lo = T(-clip_value), hi = T(clip_value)](T x) { return std::min(std::max(x, lo), hi); });
    });
  }
}

}  // namespace tapenet::optim
