#pragma once
/// \file The convolution variants the study swaps into a network: one name per way of connecting
/// input maps to output maps, each built from the layers of the zoo.
#include <memory>
#include <string>
#include <vector>

#include "framework/module.hpp"
#include "layers/options.hpp"

namespace tapenet::models {

using nn::Size2d;

/// How a k×k convolution from `in` to `out` maps is wired. Every variant maps [N, in, H, W] to the
/// same [N, out, H', W'] as the dense convolution with the same kernel, stride and padding.
enum class ConvVariant {
  dense,                ///< Conv2d: every output reads every input
  lenet5_table,         ///< ConnectionConv2d with LeCun's C3 table (6 -> 16 only)
  random_table,         ///< ConnectionConv2d, seeded random table of a given density
  grouped,              ///< Conv2d with `groups` groups (Krizhevsky et al. 2012)
  shared_sum,           ///< SharedConv2d: one k×k kernel per output, channel responses summed
  shared_mean,          ///< ... averaged
  shared_max,           ///< ... max over channels
  depthwise_separable,  ///< depthwise k×k (groups = in), then 1×1 to out (Howard et al. 2017, Chollet 2017)
  bsconv_u,             ///< 1×1 to out without bias, then depthwise k×k (Haase & Amthor 2020)
  maxout,               ///< dense conv to out·maxout_k maps, then ChannelMaxPool(maxout_k) (Goodfellow et al. 2013)
};

/// The canonical name ("dense", "lenet5_table", ..., "bsconv_u", "maxout").
std::string to_string(ConvVariant variant);
/// The variant named `name` (canonical names; '-' may stand for '_'). Throws ValueError listing
/// the valid names.
ConvVariant parse_conv_variant(const std::string& name);
/// Every variant, in declaration order.
const std::vector<ConvVariant>& all_conv_variants();

struct ConvVariantOptions {
  ConvVariantOptions(ConvVariant variant, int64_t in_channels, int64_t out_channels, Size2d kernel_size)
      : variant_(variant), in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TAPENET_OPTION(ConvVariantOptions, ConvVariant, variant, ConvVariant::dense)
  TAPENET_OPTION(ConvVariantOptions, int64_t, in_channels, 0)
  TAPENET_OPTION(ConvVariantOptions, int64_t, out_channels, 0)
  TAPENET_OPTION(ConvVariantOptions, Size2d, kernel_size, 1)
  TAPENET_OPTION(ConvVariantOptions, Size2d, stride, 1)
  TAPENET_OPTION(ConvVariantOptions, Size2d, padding, 0)
  TAPENET_OPTION(ConvVariantOptions, bool, bias, true)
  /// grouped: the number of groups (divides in and out).
  TAPENET_OPTION(ConvVariantOptions, int64_t, groups, 2)
  /// random_table: the fraction of connected (output, input) pairs, rounded to whole connections;
  /// the default is the lenet5 table's 60 / 96.
  TAPENET_OPTION(ConvVariantOptions, double, density, 60.0 / 96.0)
  /// random_table: seed of the table (the weights come from the default generator as usual).
  TAPENET_OPTION(ConvVariantOptions, uint64_t, table_seed, 0)
  /// maxout: candidate maps per output.
  TAPENET_OPTION(ConvVariantOptions, int64_t, maxout_k, 2)
};

/// Builds the variant: a single layer (Conv2d, ConnectionConv2d, SharedConv2d) or a Sequential of
/// two (depthwise_separable: "depthwise", "pointwise"; bsconv_u: "pointwise", "depthwise"; maxout:
/// "conv", "pool"). Parameters are initialised by the layers' defaults from the default generator.
/// Throws ValueError for sizes the variant cannot take (lenet5_table other than 6 -> 16, groups
/// not dividing the channels, a density leaving an output without inputs).
std::shared_ptr<Module> make_conv(const ConvVariantOptions& options);

}  // namespace tapenet::models
