#include "framework/ops/shared_conv.hpp"

#include <map>
#include <memory>
#include <vector>

#include "framework/kernels/shared_conv.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/conv_args.hpp"
#include "framework/ops/op_helpers.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shape_ops.hpp"

namespace tapenet {
namespace {

void check_shapes(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const std::optional<ConnectionTable>& table) {
  const auto fail = [&](const char* why) {
    std::string msg("shared_conv2d: ");
    msg.append(why).append(" (input ").append(shape_str(input.shape())).append(", weight ");
    msg.append(shape_str(weight.shape())).append(")");
    return ValueError(msg);
  };
  if (input.dim() != 4) throw fail("input must be [N, C, H, W]");
  if (weight.dim() != 4 || weight.shape()[1] != 1) throw fail("weight must be [out, 1, kh, kw]");
  const int64_t out = weight.shape()[0];
  if (bias.defined() && bias.shape() != Shape{out}) throw fail("bias must be [out]");
  if (table && (table->in_channels() != input.shape()[1] || table->out_channels() != out))
    throw fail("the connection table must be [out, C]");
}

// Σ of the input channels in `channels` as [N, 1, H, W] (a contiguous run is one slice + sum).
Tensor channel_sum(const Tensor& input, const std::vector<int64_t>& channels) {
  const bool contiguous = channels.back() - channels.front() + 1 == static_cast<int64_t>(channels.size());
  if (contiguous) return sum(slice(input, 1, channels.front(), channels.back() + 1), {1}, true);
  Tensor s = slice(input, 1, channels[0], channels[0] + 1);
  for (std::size_t k = 1; k < channels.size(); ++k) s = s + slice(input, 1, channels[k], channels[k] + 1);
  return s;
}

// Rows `rows` of `t` along dim 0, in that order.
Tensor rows_of(const Tensor& t, const std::vector<int64_t>& rows) {
  std::vector<Tensor> parts;
  for (int64_t r : rows) parts.push_back(slice(t, 0, r, r + 1));
  return parts.size() == 1 ? parts[0] : concat(parts, 0);
}

Tensor sum_or_mean(const Tensor& input, const Tensor& weight, const Tensor& bias, bool mean,
                   const std::optional<ConnectionTable>& table, std::array<int64_t, 2> stride,
                   std::array<int64_t, 2> padding) {
  const int64_t channels = input.shape()[1], out = weight.shape()[0];
  if (!table || table->is_full()) {
    const Tensor s = sum(input, {1}, true);
    return conv2d(mean ? s * (1.0 / double(channels)) : s, weight, bias, stride, padding);
  }
  // Output maps that read the same channels share one channel sum and one convolution.
  std::map<std::vector<int64_t>, std::vector<int64_t>> families;
  for (int64_t o = 0; o < out; ++o) families[table->inputs_of(o)].push_back(o);
  std::vector<Tensor> per_output(out);
  for (const auto& [channels_read, outputs] : families) {
    Tensor s = channel_sum(input, channels_read);
    if (mean) s = s * (1.0 / double(channels_read.size()));
    const Tensor y = conv2d(s, rows_of(weight, outputs), bias.defined() ? rows_of(bias, outputs) : Tensor(), stride,
                            padding);
    for (std::size_t k = 0; k < outputs.size(); ++k)
      per_output[outputs[k]] = outputs.size() == 1 ? y : slice(y, 1, int64_t(k), int64_t(k) + 1);
  }
  return concat(per_output, 1);
}

// Throws ValueError unless the arguments (shapes already checked) describe a valid max convolution;
// returns its plan.
kernels::SharedMaxPlan check_and_plan_max(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                          const std::optional<ConnectionTable>& table, std::array<int64_t, 2> stride,
                                          std::array<int64_t, 2> padding) {
  const kernels::ConvGeometry g = ops_detail::check_conv("shared_conv2d", input, weight, bias, stride, padding, {1, 1});
  const int64_t c = input.size(1), out = weight.size(0);
  if (c < 1)
    throw ValueError(ops_detail::describe_conv("shared_conv2d", input, weight, bias)
                         .append(": the input has no channel to take the maximum over"));
  std::vector<bool> connected(out * c, true);
  if (table)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < c; ++i) connected[o * c + i] = table->connected(o, i);
  return kernels::plan_shared_max_conv2d(input.size(0), c, out, connected, g);
}

Tensor channel_max(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const std::optional<ConnectionTable>& table, std::array<int64_t, 2> stride,
                   std::array<int64_t, 2> padding) {
  const kernels::SharedMaxPlan plan = check_and_plan_max(input, weight, bias, table, stride, padding);
  const kernels::ConvGeometry& g = plan.geometry;
  Tensor y = Tensor::empty({plan.batch, plan.out_channels, g.out_h(), g.out_w()}, input.dtype());
  auto argmax = std::make_shared<std::vector<int32_t>>();
  kernels::shared_max_conv2d_forward(input, weight, bias, y, *argmax, plan);
  if (needs_grad(input, weight, bias))
    record("shared_conv2d_max", y, [input, weight, bias, plan, argmax](const Tensor& gy, const Tensor&) {
      // c* = argmax[n,o,p]: gx[n,c*] += w_o spread over patch p · gy[n,o,p]; gw[o] += gy[n,o,p] patch(x[n,c*], p);
      // gb[o] += Σ gy[n,o]
      kernels::shared_max_conv2d_backward(gy, input, weight, *argmax,
                                          input.requires_grad() ? &grad_buffer(input) : nullptr,
                                          weight.requires_grad() ? &grad_buffer(weight) : nullptr,
                                          bias.defined() && bias.requires_grad() ? &grad_buffer(bias) : nullptr, plan);
    });
  return y;
}

}  // namespace

ChannelReduce parse_channel_reduce(const std::string& name) {
  if (name == "sum") return ChannelReduce::sum;
  if (name == "mean") return ChannelReduce::mean;
  if (name == "max") return ChannelReduce::max;
  throw ValueError("shared_conv2d: reduce must be \"sum\", \"mean\" or \"max\", got \"" + name + "\"");
}

const char* channel_reduce_name(ChannelReduce reduce) {
  switch (reduce) {
    case ChannelReduce::sum: return "sum";
    case ChannelReduce::mean: return "mean";
    case ChannelReduce::max: return "max";
  }
  return "?";
}

Tensor shared_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ChannelReduce reduce,
                     const std::optional<ConnectionTable>& table, std::array<int64_t, 2> stride,
                     std::array<int64_t, 2> padding) {
  check_shapes(input, weight, bias, table);
  if (reduce == ChannelReduce::max) return channel_max(input, weight, bias, table, stride, padding);
  return sum_or_mean(input, weight, bias, reduce == ChannelReduce::mean, table, stride, padding);
}

}  // namespace tapenet
