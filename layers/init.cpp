#include "layers/init.hpp"

#include <cmath>

#include "framework/factories.hpp"

namespace tapenet::init {

Tensor fan_in_uniform(const Shape& shape, int64_t fan_in, Generator& gen) {
  if (fan_in <= 0) throw ValueError("init: fan_in must be positive, got " + std::to_string(fan_in));
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return uniform(shape, -bound, bound, gen);
}

}  // namespace tapenet::init
