#include "layers/connection_conv.hpp"

#include <algorithm>

#include "framework/ops/connection_conv.hpp"
#include "layers/conv.hpp"
#include "layers/init.hpp"

namespace tapenet::nn {

ConnectionConv2d::ConnectionConv2d(const ConnectionConv2dOptions& o) : Module("ConnectionConv2d"), options(o) {
  const ConnectionTable& t = o.table();
  if (t.in_channels() != o.in_channels() || t.out_channels() != o.out_channels())
    throw ValueError("ConnectionConv2d: table is [" + std::to_string(t.out_channels()) + ", " +
                     std::to_string(t.in_channels()) + "] but the layer maps " + std::to_string(o.in_channels()) +
                     " to " + std::to_string(o.out_channels()) + " channels");
  const Size2d k = o.kernel_size();
  const int64_t in = o.in_channels(), out = o.out_channels(), kk = k.h * k.w;
  Tensor w = Tensor::empty({out, in, k.h, k.w}).zero_();
  Tensor b = Tensor::empty({out});
  for (int64_t oc = 0; oc < out; ++oc) {
    const std::vector<int64_t> inputs = t.inputs_of(oc);
    const int64_t fan_in = static_cast<int64_t>(inputs.size()) * kk;
    const Tensor draws = init::fan_in_uniform({static_cast<int64_t>(inputs.size()) * kk + 1}, fan_in);
    for (std::size_t j = 0; j < inputs.size(); ++j)
      std::copy_n(draws.data<float>() + j * kk, kk, w.data<float>() + (oc * in + inputs[j]) * kk);
    b.data<float>()[oc] = draws.data<float>()[inputs.size() * kk];
  }
  weight = register_parameter("weight", w);
  if (o.bias()) bias = register_parameter("bias", b);
  table_buffer = register_buffer("table", t.to_tensor());
}

ConnectionTable ConnectionConv2d::table() const { return ConnectionTable::from_tensor(table_buffer); }

Tensor ConnectionConv2d::forward(const Tensor& input) {
  return connection_conv2d(input, weight, bias, table(), options.stride().array(), options.padding().array());
}

std::string ConnectionConv2d::extra_repr() const {
  const ConnectionTable t = table();
  std::string s = std::to_string(options.in_channels()) + ", " + std::to_string(options.out_channels()) + ", " +
                  conv_geometry_repr(options.kernel_size(), options.stride(), options.padding(), 1) +
                  ", connections=" + std::to_string(t.connections()) + "/" +
                  std::to_string(t.in_channels() * t.out_channels());
  if (!options.bias()) s += ", bias=False";
  return s;
}

int64_t ConnectionConv2d::num_parameters() const {
  const Size2d k = options.kernel_size();
  return table().connections() * k.h * k.w + (bias.defined() ? bias.numel() : 0);
}

int64_t ConnectionConv2d::macs_per_sample(const Shape&, const Shape& output) const {
  const Size2d k = options.kernel_size();
  return output[2] * output[3] * table().connections() * k.h * k.w;
}

}  // namespace tapenet::nn
