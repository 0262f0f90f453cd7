#pragma once
/// \file The input normalisation the training programs and the study share.
#include <string>

#include "datasets/transforms.hpp"

namespace tapenet::examples {

/// Normalize by the training split's pixel mean / std: "mnist" 0.1307 / 0.3081, "cifar10" per
/// channel (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616), anything else Fashion-MNIST's
/// 0.2860 / 0.3530.
datasets::TransformPtr normalization(const std::string& dataset);

}  // namespace tapenet::examples
