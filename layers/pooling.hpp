#pragma once
/// \file Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and ChannelMaxPool (maxout).
#include "framework/module.hpp"
#include <optional>

#include "layers/options.hpp"

namespace tapenet::nn {

/// Max over k×k windows; stride defaults to the kernel size (PyTorch's default).
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2d kernel_size, std::optional<Size2d> stride = std::nullopt, Size2d padding = 0,
                     bool ceil_mode = false);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const Size2d kernel_size, stride, padding;
  const bool ceil_mode;
};

/// Mean over k×k windows (padding counted in the divisor, as PyTorch's default).
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2d kernel_size, std::optional<Size2d> stride = std::nullopt, Size2d padding = 0,
                     bool ceil_mode = false, bool count_include_pad = true);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const Size2d kernel_size, stride, padding;
  const bool ceil_mode, count_include_pad;
};

/// Average pooling to a fixed output size; AdaptiveAvgPool2d(1) is global average pooling.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2d output_size) : Module("AdaptiveAvgPool2d"), output_size(output_size) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const Size2d output_size;
};

/// Max over consecutive groups of k channels: [N, C, ...] -> [N, C/k, ...] (maxout, Goodfellow et
/// al. 2013).
class ChannelMaxPool : public Module {
 public:
  explicit ChannelMaxPool(int64_t k);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const int64_t k;
};

}  // namespace tapenet::nn
