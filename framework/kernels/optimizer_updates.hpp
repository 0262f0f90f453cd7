#pragma once
/// \file The optimizers' update kernels and the partial norms of gradient clipping: one elementwise
/// pass over a parameter's contiguous buffer, with PyTorch 1.13's formulas (single-tensor path) and
/// its rounding of the scalar coefficients to the parameter type. Instantiated for float and double.
///
/// Threads: parallel_for over fixed chunks of kElementwiseGrain elements; each element is computed
/// by one task with the same operations, so results are bit-identical for any thread count. The
/// updates assign the parameter and state buffers in place.
#include <cstdint>

namespace tapenet::kernels {

/// Scalars of one Adam update, each rounded to the parameter type as PyTorch does.
template <class T>
struct AdamCoefficients {
  T coupled_decay;    ///< Adam: g += coupled_decay · p
  T decoupled_scale;  ///< AdamW: p *= decoupled_scale
  T beta1, one_minus_beta1, beta2, one_minus_beta2;
  T bias_correction2_sqrt, eps, neg_step_size;
};

/// g' = g + wd·p;  buf = first ? g' : m·buf + keep·g' (keep = 1 − dampening);
/// p -= lr · (nesterov ? g' + m·buf : buf). `buf` is null without momentum (then p -= lr · g').
template <class T>
void sgd_update(T* p, const T* g, T* buf, int64_t n, bool first, T lr, T wd, T momentum, T keep, bool nesterov);

/// m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g;  vmax = max(vmax, v) (when given);
/// p += −step_size · m / (sqrt(v or vmax) / bias_correction2_sqrt + eps).
template <class T>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamCoefficients<T>& c);

/// g' = g + wd·p;  s = α·s + (1 − α)·g'·g';  a = α·a + (1 − α)·g' (when given);
/// avg = sqrt(s − a·a or s) + eps;  buf = m·buf + g'/avg, p += −lr·buf (when given), else p += −lr·g'/avg.
template <class T>
void rmsprop_update(T* p, const T* g, T* s, T* a, T* buf, int64_t n, T neg_lr, T alpha, T one_minus_alpha, T eps, T wd,
                    T momentum);

/// g' = g + wd·p;  sum += g'·g';  p += −clr · g' / (sqrt(sum) + eps).
template <class T>
void adagrad_update(T* p, const T* g, T* sum, int64_t n, T neg_clr, T eps, T wd);

/// Σ |x|^p (or max |x| for p = inf) over n elements: partial results per fixed chunk of
/// kElementwiseGrain elements, combined in order.
template <class T>
double lp_norm_part(const T* x, int64_t n, double p);

}  // namespace tapenet::kernels
