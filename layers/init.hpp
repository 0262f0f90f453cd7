#pragma once
/// \file Parameter initialisation matching PyTorch's layer defaults.
#include "framework/random.hpp"
#include "framework/tensor.hpp"

namespace tapenet::init {

/// PyTorch's default for Linear and Conv2d weights and biases: kaiming_uniform_(a = sqrt(5)) for the
/// weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias both reduce to
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Draws from `gen`. Throws ValueError when fan_in <= 0.
Tensor fan_in_uniform(const Shape& shape, int64_t fan_in, Generator& gen = default_generator());

}  // namespace tapenet::init
