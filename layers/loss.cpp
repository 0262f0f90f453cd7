#include "layers/loss.hpp"

namespace tapenet::nn {

Tensor CrossEntropyLoss::operator()(const Tensor& input, const Tensor& target) const {
  return cross_entropy(input, target, reduction, label_smoothing, ignore_index);
}
Tensor NLLLoss::operator()(const Tensor& input, const Tensor& target) const {
  return nll_loss(input, target, reduction, ignore_index);
}
Tensor MSELoss::operator()(const Tensor& input, const Tensor& target) const {
  return mse_loss(input, target, reduction);
}

}  // namespace tapenet::nn
