#include "framework/kernels/optimizer_updates.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/kernels/elementwise.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {

/// g' = g + wd·p;  buf = first ? g' : m·buf + keep·g' (keep = 1 − dampening);
/// p -= lr · (nesterov ? g' + m·buf : buf). `buf` is null without momentum (then p -= lr · g').
template <class T>
void sgd_update(T* p, const T* g, T* buf, int64_t n, bool first, T lr, T wd, T momentum, T keep, bool nesterov) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) {
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


/// m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g;  vmax = max(vmax, v) (when given);
/// p += −step_size · m / (sqrt(v or vmax) / bias_correction2_sqrt + eps).
template <class T>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamCoefficients<T>& c) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (c.decoupled_scale != T(1)) p[i] = p[i] * c.decoupled_scale;
      const T d = c.coupled_decay != T(0) ? g[i] + c.coupled_decay * p[i] : g[i];
      m[i] = m[i] * c.beta1 + c.one_minus_beta1 * d;
      v[i] = v[i] * c.beta2 + c.one_minus_beta2 * d * d;
      T second = v[i];
      if (vmax) {
        vmax[i] = std::max(vmax[i], v[i]);
        second = vmax[i];
      }
      const T denom = std::sqrt(second) / c.bias_correction2_sqrt + c.eps;
      p[i] = p[i] + c.neg_step_size * (m[i] / denom);
    }
  });
}

/// g' = g + wd·p;  s = α·s + (1 − α)·g'·g';  a = α·a + (1 − α)·g' (when given);
/// avg = sqrt(s − a·a or s) + eps;  buf = m·buf + g'/avg, p += −lr·buf (when given), else p += −lr·g'/avg.
template <class T>
void rmsprop_update(T* p, const T* g, T* s, T* a, T* buf, int64_t n, T neg_lr, T alpha, T one_minus_alpha, T eps, T wd,
                    T momentum) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T d = wd != T(0) ? g[i] + wd * p[i] : g[i];
      s[i] = s[i] * alpha + one_minus_alpha * d * d;
      T avg;
      if (a) {
        a[i] = a[i] * alpha + one_minus_alpha * d;
        avg = std::sqrt(s[i] + T(-1) * a[i] * a[i]);
      } else {
        avg = std::sqrt(s[i]);
      }
      avg = avg + eps;
      if (buf) {
        buf[i] = buf[i] * momentum + d / avg;
        p[i] = p[i] + neg_lr * buf[i];
      } else {
        p[i] = p[i] + neg_lr * (d / avg);
      }
    }
  });
}

/// g' = g + wd·p;  sum += g'·g';  p += −clr · g' / (sqrt(sum) + eps).
template <class T>
void adagrad_update(T* p, const T* g, T* sum, int64_t n, T neg_clr, T eps, T wd) {
  parallel_for(0, n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T d = wd != T(0) ? g[i] + wd * p[i] : g[i];
      sum[i] = sum[i] + d * d;
      p[i] = p[i] + neg_clr * (d / (std::sqrt(sum[i]) + eps));
    }
  });
}

/// Σ |x|^p (or max |x| for p = inf) over n elements: partial results per fixed chunk of
/// kElementwiseGrain elements, combined in order.
template <class T>
double lp_norm_part(const T* x, int64_t n, double p) {
  const int64_t chunk = kElementwiseGrain;
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

template void sgd_update<float>(float*, const float*, float*, int64_t, bool, float, float, float, float, bool);
template void adam_update<float>(float*, const float*, float*, float*, float*, int64_t, const AdamCoefficients<float>&);
template void rmsprop_update<float>(float*, const float*, float*, float*, float*, int64_t, float, float, float, float, float, float);
template void adagrad_update<float>(float*, const float*, float*, int64_t, float, float, float);
template double lp_norm_part<float>(const float*, int64_t, double);
template void sgd_update<double>(double*, const double*, double*, int64_t, bool, double, double, double, double, bool);
template void adam_update<double>(double*, const double*, double*, double*, double*, int64_t, const AdamCoefficients<double>&);
template void rmsprop_update<double>(double*, const double*, double*, double*, double*, int64_t, double, double, double, double, double, double);
template void adagrad_update<double>(double*, const double*, double*, int64_t, double, double, double);
template double lp_norm_part<double>(const double*, int64_t, double);

}  // namespace tapenet::kernels
