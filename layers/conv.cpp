#include "layers/conv.hpp"

#include "framework/ops/conv.hpp"
#include "layers/init.hpp"

namespace tapenet::nn {

std::string conv_geometry_repr(const Size2d& kernel, const Size2d& stride, const Size2d& padding,
                               const Size2d& dilation) {
  std::string s = "kernel_size=" + kernel.str() + ", stride=" + stride.str();
  if (!(padding == Size2d(0))) s += ", padding=" + padding.str();
  if (!(dilation == Size2d(1))) s += ", dilation=" + dilation.str();
  return s;
}

Conv2d::Conv2d(const Conv2dOptions& o) : Module("Conv2d"), options(o) {
  const int64_t in = o.in_channels(), out = o.out_channels(), g = o.groups();
  if (in <= 0 || out <= 0 || g <= 0 || in % g || out % g)
    throw ValueError("Conv2d: in_channels=" + std::to_string(in) + " and out_channels=" + std::to_string(out) +
                     " must be positive and divisible by groups=" + std::to_string(g));
  const Size2d k = o.kernel_size();
  const int64_t fan_in = in / g * k.h * k.w;
  weight = register_parameter("weight", init::fan_in_uniform({out, in / g, k.h, k.w}, fan_in));
  if (o.bias()) bias = register_parameter("bias", init::fan_in_uniform({out}, fan_in));
}

Tensor Conv2d::forward(const Tensor& input) {
  return conv2d(input, weight, bias, options.stride().array(), options.padding().array(),
                options.dilation().array(), options.groups());
}

std::string Conv2d::extra_repr() const {
  std::string s = std::to_string(options.in_channels()) + ", " + std::to_string(options.out_channels()) + ", " +
                  conv_geometry_repr(options.kernel_size(), options.stride(), options.padding(), options.dilation());
  if (options.groups() != 1) s += ", groups=" + std::to_string(options.groups());
  if (!options.bias()) s += ", bias=False";
  return s;
}

int64_t Conv2d::macs_per_sample(const Shape&, const Shape& output) const {
  const Size2d k = options.kernel_size();
  return shape_numel(output) / output[0] * (options.in_channels() / options.groups()) * k.h * k.w;
}

}  // namespace tapenet::nn
