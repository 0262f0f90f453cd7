#pragma once
/// \file Loss modules: callables over (input, target) wrapping the loss ops.
#include "framework/module.hpp"
#include "framework/ops/loss.hpp"

namespace tapenet::nn {

/// Cross-entropy of logits [N, C] against int64 class targets [N].
struct CrossEntropyLoss : Module {
  explicit CrossEntropyLoss(Reduction reduction = Reduction::mean, double label_smoothing = 0.0,
                            int64_t ignore_index = -100)
      : Module("CrossEntropyLoss"), reduction(reduction), label_smoothing(label_smoothing), ignore_index(ignore_index) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const;
  const Reduction reduction;
  const double label_smoothing;
  const int64_t ignore_index;
};

/// Negative log-likelihood of log-probabilities [N, C] against int64 class targets [N].
struct NLLLoss : Module {
  explicit NLLLoss(Reduction reduction = Reduction::mean, int64_t ignore_index = -100)
      : Module("NLLLoss"), reduction(reduction), ignore_index(ignore_index) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const;
  const Reduction reduction;
  const int64_t ignore_index;
};

/// Mean (or summed) squared error between tensors of one shape.
struct MSELoss : Module {
  explicit MSELoss(Reduction reduction = Reduction::mean) : Module("MSELoss"), reduction(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const;
  const Reduction reduction;
};

}  // namespace tapenet::nn
