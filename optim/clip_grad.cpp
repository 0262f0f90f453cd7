#include "optim/clip_grad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "framework/kernels/elementwise.hpp"

namespace tapenet::optim {

namespace {

/// Σ |x|^p (or max |x| for p = inf) over n elements: partial results per fixed chunk of
/// kElementwiseGrain elements, combined in order.
template <class T>
double norm_part(const T* x, int64_t n, double p) {
  const int64_t chunk = kernels::kElementwiseGrain;
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
  const bool is_inf = std::isinf(p);
  parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double acc = 0;
      for (int64_t i = c * chunk, e = std::min(n, (c + 1) * chunk); i < e; ++i) {
        const double a = std::abs(static_cast<double>(x[i]));
        acc = is_inf ? std::max(acc, a) : acc + (p == 2 ? a * a : p == 1 ? a : std::pow(a, p));
      }
      partial[static_cast<std::size_t>(c)] = acc;
    }
  });
  double total = 0;
  for (double v : partial) total = is_inf ? std::max(total, v) : total + v;
  return total;
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  if (!(norm_type > 0)) throw ValueError("clip_grad_norm_: invalid norm_type value: " + std::to_string(norm_type));
  const bool is_inf = std::isinf(norm_type);
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  double total = 0;
  for (const Tensor& g : grads) {
    const double part = dispatch_floating(g.dtype(), "clip_grad_norm_",
                                          [&]<class T>() { return norm_part(g.data<T>(), g.numel(), norm_type); });
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
