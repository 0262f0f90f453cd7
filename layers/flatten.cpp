#include "layers/flatten.hpp"

#include "framework/ops/shape_ops.hpp"

namespace tapenet::nn {

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim, end_dim); }
std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

}  // namespace tapenet::nn
