#pragma once
/// \file A small all-convolutional network whose convolutions hold nearly all the parameters, so
/// swapping them for a cheaper variant changes the parameter count a lot (unlike LeNet-5's C3,
/// under 3 % of LeNet-5's parameters). The study's second network.
#include <memory>
#include <vector>

#include "layers/conv_variant.hpp"
#include "layers/sequential.hpp"

namespace tapenet::models {

struct AllConvOptions {
  /// The variant of every convolution after the first (the first reads the image's channels).
  TAPENET_OPTION(AllConvOptions, ConvVariant, variant, ConvVariant::dense)
  /// Output maps of the stages; every stage is conv 3×3 pad 1, [batch norm], ReLU, and all but the
  /// last a 2×2 max-pool. Divisible by 2 and 3 so the grouped variants apply everywhere.
  TAPENET_OPTION(AllConvOptions, std::vector<int64_t>, widths, (std::vector<int64_t>{24, 48, 96}))
  TAPENET_OPTION(AllConvOptions, bool, batch_norm, true)
  TAPENET_OPTION(AllConvOptions, int64_t, in_channels, 1)
  TAPENET_OPTION(AllConvOptions, int64_t, num_classes, 10)
  /// Variant options (grouped: groups; random_table: density and table_seed).
  TAPENET_OPTION(AllConvOptions, int64_t, groups, 2)
  TAPENET_OPTION(AllConvOptions, double, density, 60.0 / 96.0)
  TAPENET_OPTION(AllConvOptions, uint64_t, table_seed, 0)
};

/// stage0 .. stage{S-1} (each a Sequential: conv, [bn], relu, [pool]), then pool (global average),
/// flatten and output Linear(widths.back(), num_classes). Works for any image size of at least
/// 2^(S-1) pixels a side. Stage s >= 1 uses the variant with table_seed + s. Throws ValueError for
/// empty or non-positive widths and for a variant that cannot map one stage's width to the next
/// (lenet5_table, groups not dividing a width).
std::shared_ptr<nn::Sequential> allconv(const AllConvOptions& options = {});

/// The widths of a narrower dense network: `widths` scaled by a common factor, rounded to multiples
/// of 6, chosen so that allconv with them has about `target_parameters` parameters (the
/// parameter-matched dense baseline of a cheap variant). Throws ValueError when the target is
/// below the smallest such network.
std::vector<int64_t> matched_dense_widths(const AllConvOptions& options, int64_t target_parameters);

}  // namespace tapenet::models
