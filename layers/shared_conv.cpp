#include "layers/shared_conv.hpp"

#include "layers/conv.hpp"
#include "layers/init.hpp"

namespace tapenet::nn {

SharedConv2d::SharedConv2d(const SharedConv2dOptions& o) : Module("SharedConv2d"), options(o) {
  const int64_t in = o.in_channels(), out = o.out_channels();
  if (in <= 0 || out <= 0)
    throw ValueError("SharedConv2d: in_channels and out_channels must be positive, got " + std::to_string(in) +
                     " and " + std::to_string(out));
  if (o.table() && (o.table()->in_channels() != in || o.table()->out_channels() != out))
    throw ValueError("SharedConv2d: table is [" + std::to_string(o.table()->out_channels()) + ", " +
                     std::to_string(o.table()->in_channels()) + "] but the layer maps " + std::to_string(in) + " to " +
                     std::to_string(out) + " channels");
  const Size2d k = o.kernel_size();
  weight = register_parameter("weight", init::fan_in_uniform({out, 1, k.h, k.w}, k.h * k.w));
  if (o.bias()) bias = register_parameter("bias", init::fan_in_uniform({out}, k.h * k.w));
  if (o.table()) table_buffer = register_buffer("table", o.table()->to_tensor());
}

std::optional<ConnectionTable> SharedConv2d::table() const {
  if (!table_buffer.defined()) return std::nullopt;
  return ConnectionTable::from_tensor(table_buffer);
}

Tensor SharedConv2d::forward(const Tensor& input) {
  return shared_conv2d(input, weight, bias, options.reduce(), table(), options.stride().array(),
                       options.padding().array());
}

std::string SharedConv2d::extra_repr() const {
  std::string s = std::to_string(options.in_channels()) + ", " + std::to_string(options.out_channels()) + ", " +
                  conv_geometry_repr(options.kernel_size(), options.stride(), options.padding(), 1) +
                  ", reduce=" + channel_reduce_name(options.reduce());
  if (table_buffer.defined()) s += ", connections=" + std::to_string(table()->connections());
  if (!options.bias()) s += ", bias=False";
  return s;
}

int64_t SharedConv2d::macs_per_sample(const Shape&, const Shape& output) const {
  const Size2d k = options.kernel_size();
  const int64_t positions = output[2] * output[3], kk = k.h * k.w;
  const int64_t pairs = table_buffer.defined() ? table()->connections() : options.in_channels() * options.out_channels();
  // max convolves every connected (channel, output) pair; sum and mean convolve one channel sum per output.
  return options.reduce() == ChannelReduce::max ? positions * pairs * kk : positions * options.out_channels() * kk;
}

}  // namespace tapenet::nn
