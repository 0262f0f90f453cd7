#include "layers/linear.hpp"

#include "framework/ops/linear.hpp"
#include "layers/init.hpp"

namespace tapenet::nn {

Linear::Linear(const LinearOptions& o) : Module("Linear"), options(o) {
  if (o.in_features() <= 0 || o.out_features() <= 0)
    throw ValueError("Linear: in_features and out_features must be positive, got " + std::to_string(o.in_features()) +
                     " and " + std::to_string(o.out_features()));
  weight = register_parameter("weight", init::fan_in_uniform({o.out_features(), o.in_features()}, o.in_features()));
  if (o.bias()) bias = register_parameter("bias", init::fan_in_uniform({o.out_features()}, o.in_features()));
}

Tensor Linear::forward(const Tensor& input) { return linear(input, weight, bias); }

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options.in_features()) +
         ", out_features=" + std::to_string(options.out_features()) + ", bias=" + (options.bias() ? "True" : "False");
}

int64_t Linear::macs_per_sample(const Shape& input, const Shape&) const {
  // Rows per sample: every leading dimension after the batch.
  int64_t rows = 1;
  for (std::size_t d = 1; d + 1 < input.size(); ++d) rows *= input[d];
  return rows * options.in_features() * options.out_features();
}

}  // namespace tapenet::nn
