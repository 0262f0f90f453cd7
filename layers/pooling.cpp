#include "layers/pooling.hpp"

#include <sstream>

#include "framework/ops/pooling.hpp"

namespace tapenet::nn {
namespace {

// PyTorch prints a pooling size given as one number as that number, a pair as "(h, w)".
std::string size_repr(const Size2d& s) { return s.h == s.w ? std::to_string(s.h) : s.str(); }

std::string bool_repr(bool b) { return b ? "True" : "False"; }

}  // namespace

MaxPool2d::MaxPool2d(Size2d kernel_size, std::optional<Size2d> stride, Size2d padding, bool ceil_mode)
    : Module("MaxPool2d"), kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      ceil_mode(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& input) {
  return max_pool2d(input, kernel_size.array(), stride.array(), padding.array(), ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  std::ostringstream os;
  os << "kernel_size=" << size_repr(kernel_size) << ", stride=" << size_repr(stride)
     << ", padding=" << size_repr(padding) << ", dilation=1, ceil_mode=" << bool_repr(ceil_mode);
  return os.str();
}

AvgPool2d::AvgPool2d(Size2d kernel_size, std::optional<Size2d> stride, Size2d padding, bool ceil_mode,
                     bool count_include_pad)
    : Module("AvgPool2d"), kernel_size(kernel_size), stride(stride.value_or(kernel_size)), padding(padding),
      ceil_mode(ceil_mode), count_include_pad(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return avg_pool2d(input, kernel_size.array(), stride.array(), padding.array(), ceil_mode, count_include_pad);
}

std::string AvgPool2d::extra_repr() const {
  std::ostringstream os;
  os << "kernel_size=" << size_repr(kernel_size) << ", stride=" << size_repr(stride)
     << ", padding=" << size_repr(padding);
  return os.str();
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return adaptive_avg_pool2d(input, output_size.array()); }

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + size_repr(output_size); }

ChannelMaxPool::ChannelMaxPool(int64_t k) : Module("ChannelMaxPool"), k(k) {
  if (k < 1) throw ValueError("ChannelMaxPool: k must be positive, got " + std::to_string(k));
}

Tensor ChannelMaxPool::forward(const Tensor& input) { return channel_max_pool(input, k); }

std::string ChannelMaxPool::extra_repr() const { return "k=" + std::to_string(k); }

}  // namespace tapenet::nn
