#include "framework/ops/loss.hpp"

#include <string>

#include "framework/kernels/loss.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/op_helpers.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/softmax.hpp"
#include "framework/tape.hpp"

namespace tapenet {
namespace {

// Throws ValueError naming `op` unless input is a floating [N, C] tensor and target an int64 [N] one.
void check_classification(const Tensor& input, const Tensor& target, const char* op) {
  if (input.dim() != 2 || !is_floating(input.dtype()))
    throw ValueError(std::string(op) + ": expected a floating input of shape [N, C], got " +
                     dtype_name(input.dtype()) + " " + shape_str(input.shape()));
  if (target.dtype() != DType::i64 || target.shape() != Shape{input.shape()[0]})
    throw ValueError(std::string(op) + ": expected an int64 target of shape [" + std::to_string(input.shape()[0]) +
                     "] for input " + shape_str(input.shape()) + ", got " + dtype_name(target.dtype()) + " " +
                     shape_str(target.shape()));
}

// Per-sample losses combined as asked; `mean` divides the sum by `count` (0 / 0 is NaN).
Tensor apply_reduction(const Tensor& losses, Reduction reduction, double count) {
  switch (reduction) {
    case Reduction::none: return losses;
    case Reduction::sum: return sum(losses);
    case Reduction::mean: return sum(losses) / count;
  }
  throw ValueError(std::string("loss: unknown reduction ") + std::to_string(static_cast<int>(reduction)));
}

// The smoothed negative log-likelihood of log-probabilities [N, C] (see kernels/loss.hpp), reduced.
Tensor smoothed_nll(const Tensor& logp, const Tensor& target, Reduction reduction, double smoothing,
                    int64_t ignore_index, const char* op) {
  Tensor losses = Tensor::empty({logp.shape()[0]}, logp.dtype());
  const int64_t counted = kernels::nll_forward(logp, target, ignore_index, smoothing, losses, op);
  if (needs_grad(logp))
    record(op, losses, [logp, target, ignore_index, smoothing](const Tensor& gy, const Tensor&) {
      // glogp[i, c] -= gy_i * eps / C;  glogp[i, t_i] -= gy_i * (1 - eps)  (ignored rows: nothing)
      kernels::nll_backward(gy, target, ignore_index, smoothing, grad_buffer(logp));
    });
  return apply_reduction(losses, reduction, static_cast<double>(counted));
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction, int64_t ignore_index) {
  check_classification(input, target, "nll_loss");
  return smoothed_nll(input, target, reduction, 0.0, ignore_index, "nll_loss");
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, double label_smoothing,
                     int64_t ignore_index) {
  if (!(label_smoothing >= 0 && label_smoothing <= 1))
    throw ValueError(std::string("cross_entropy: label_smoothing must be in [0, 1], got ") +
                     std::to_string(label_smoothing));
  check_classification(logits, target, "cross_entropy");
  return smoothed_nll(log_softmax(logits, 1), target, reduction, label_smoothing, ignore_index, "cross_entropy");
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  if (input.shape() != target.shape())
    throw ValueError(std::string("mse_loss: input ") + shape_str(input.shape()) + " and target " +
                     shape_str(target.shape()) + " must have the same shape");
  ops_detail::check_same_dtype(input, target, "mse_loss");
  const Tensor diff = input - target;
  return apply_reduction(diff * diff, reduction, static_cast<double>(input.numel()));
}

}  // namespace tapenet
