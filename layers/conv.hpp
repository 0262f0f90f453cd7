#pragma once
/// \file Conv2d: dense, grouped and depthwise 2-D convolution (PyTorch's nn.Conv2d).
#include "framework/module.hpp"
#include "layers/options.hpp"

namespace tapenet::nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, Size2d kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TAPENET_OPTION(Conv2dOptions, int64_t, in_channels, 0)
  TAPENET_OPTION(Conv2dOptions, int64_t, out_channels, 0)
  TAPENET_OPTION(Conv2dOptions, Size2d, kernel_size, 1)
  TAPENET_OPTION(Conv2dOptions, Size2d, stride, 1)
  TAPENET_OPTION(Conv2dOptions, Size2d, padding, 0)
  TAPENET_OPTION(Conv2dOptions, Size2d, dilation, 1)
  TAPENET_OPTION(Conv2dOptions, int64_t, groups, 1)
  TAPENET_OPTION(Conv2dOptions, bool, bias, true)
};

/// weight [out, in/groups, kh, kw] and bias [out], both U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
/// fan_in = in/groups * kh * kw (PyTorch's default). Depthwise: groups == in_channels.
/// forward: [N, in, H, W] -> [N, out, H_out, W_out]. Throws ValueError for channels not divisible by
/// groups or non-positive sizes.
class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  int64_t macs_per_sample(const Shape& input, const Shape& output) const override;

  const Conv2dOptions options;
  Tensor weight;
  Tensor bias;  ///< undefined when options.bias() is false
};

/// PyTorch's conv repr tail shared by the convolution layers: ", stride=(1, 1)" and, when not at
/// their defaults, padding and dilation.
std::string conv_geometry_repr(const Size2d& kernel, const Size2d& stride, const Size2d& padding,
                               const Size2d& dilation);

}  // namespace tapenet::nn
