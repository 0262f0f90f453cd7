#pragma once
/// \file summary(): a per-layer table like torchinfo's.
#include <string>

#include "framework/module.hpp"

namespace tapenet {

/// Runs `model` once on zeros of shape [1, input_shape...] (float32, no recording) and returns a
/// table with one row per module call: dotted name and type, output shape, trainable parameters
/// (own, live weights only) and multiply-adds per sample; then the totals. Leaves the model's
/// train/eval mode unchanged. Exceptions from forward propagate.
std::string summary(Module& model, const Shape& input_shape);

}  // namespace tapenet
