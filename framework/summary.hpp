#pragma once
/// \file summary(): a per-layer table like torchinfo's.
#include <string>

#include "framework/module.hpp"

namespace tapenet {

/// Runs `model` once on zeros of shape [1, input_shape...] (float32, no recording, in eval mode so
/// batch-norm statistics do not move; the model's mode is restored) and returns a table with one
/// row per module call: dotted name and type, output shape, trainable parameters (own, live weights
/// only) and multiply-adds per sample; then the totals. Exceptions from forward propagate.
std::string summary(Module& model, const Shape& input_shape);

/// The multiply-adds per sample of one forward pass on [1, input_shape...]: summary()'s total,
/// measured the same way.
int64_t macs_per_sample(Module& model, const Shape& input_shape);

}  // namespace tapenet
