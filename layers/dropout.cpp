#include "layers/dropout.hpp"

#include <sstream>

#include "framework/ops/dropout.hpp"

namespace tapenet::nn {

Dropout::Dropout(double p) : Module("Dropout"), p(p) {
  if (!(p >= 0 && p <= 1)) throw ValueError("Dropout: p must be in [0, 1], got " + std::to_string(p));
}

Dropout::Dropout(double p, uint64_t seed) : Dropout(p) { generator_ = std::make_unique<Generator>(seed); }

Tensor Dropout::forward(const Tensor& input) {
  return dropout(input, p, is_training(), generator_ ? *generator_ : default_generator());
}

std::string Dropout::extra_repr() const {
  std::ostringstream os;
  os << "p=" << p << ", inplace=False";
  return os.str();
}

}  // namespace tapenet::nn
