#pragma once
/// \file Linear: y = x W^T + b (PyTorch's nn.Linear).
#include "framework/module.hpp"
#include "layers/options.hpp"

namespace tapenet::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  TAPENET_OPTION(LinearOptions, int64_t, in_features, 0)
  TAPENET_OPTION(LinearOptions, int64_t, out_features, 0)
  TAPENET_OPTION(LinearOptions, bool, bias, true)
};

/// weight [out, in], bias [out]; both U(-1/sqrt(in), 1/sqrt(in)) from the default generator.
/// forward: [*, in] -> [*, out]. Throws ValueError on non-positive sizes or a wrong input width.
class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features) : Linear(LinearOptions(in_features, out_features)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  int64_t macs_per_sample(const Shape& input, const Shape& output) const override;

  const LinearOptions options;
  Tensor weight;
  Tensor bias;  ///< undefined when options.bias() is false
};

}  // namespace tapenet::nn
