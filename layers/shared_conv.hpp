#pragma once
/// \file SharedConv2d: one k×k kernel per output map shared across the input channels it reads,
/// the per-channel responses combined by sum, mean or max.
#include <optional>

#include "framework/module.hpp"
#include "framework/ops/shared_conv.hpp"
#include "framework/connection_table.hpp"
#include "layers/options.hpp"

namespace tapenet::nn {

struct SharedConv2dOptions {
  SharedConv2dOptions(int64_t in_channels, int64_t out_channels, Size2d kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TAPENET_OPTION(SharedConv2dOptions, int64_t, in_channels, 0)
  TAPENET_OPTION(SharedConv2dOptions, int64_t, out_channels, 0)
  TAPENET_OPTION(SharedConv2dOptions, Size2d, kernel_size, 1)
  TAPENET_OPTION(SharedConv2dOptions, ChannelReduce, reduce, ChannelReduce::sum)
  TAPENET_OPTION(SharedConv2dOptions, Size2d, stride, 1)
  TAPENET_OPTION(SharedConv2dOptions, Size2d, padding, 0)
  TAPENET_OPTION(SharedConv2dOptions, bool, bias, true)
  TAPENET_OPTION(SharedConv2dOptions, std::optional<ConnectionTable>, table, std::nullopt)
};

/// weight [out, 1, kh, kw] and bias [out], U(-1/sqrt(kh·kw), 1/sqrt(kh·kw)) (a 1-channel kernel's
/// fan-in); out·kh·kw + out parameters. With a table, buffer `table` (int64 [out, in]) selects the
/// channels each output reads. See shared_conv2d for the computation. Throws ValueError on sizes
/// that do not match the table.
class SharedConv2d : public Module {
 public:
  explicit SharedConv2d(const SharedConv2dOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  int64_t macs_per_sample(const Shape& input, const Shape& output) const override;

  const SharedConv2dOptions options;
  Tensor weight, bias;
  Tensor table_buffer;  ///< the `table` buffer; undefined without a table

 private:
  std::optional<ConnectionTable> table() const;
};

}  // namespace tapenet::nn
