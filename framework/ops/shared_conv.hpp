#pragma once
/// \file Shared-kernel convolution: one k×k kernel per output map, applied to every input channel
/// the map reads and combined across those channels by sum, mean or max.
#include <array>
#include <optional>
#include <string>

#include "framework/tensor.hpp"
#include "framework/connection_table.hpp"

namespace tapenet {

/// How the per-channel responses w_o ⋆ x_c of one output map are combined.
enum class ChannelReduce { sum, mean, max };

/// "sum", "mean" or "max"; ValueError naming the accepted values otherwise.
ChannelReduce parse_channel_reduce(const std::string& name);
const char* channel_reduce_name(ChannelReduce reduce);

/// input [N, C, H, W], weight [O, 1, kh, kw], bias [O] or undefined; output [N, O, H_out, W_out]:
/// - sum:  y_o = Σ_{c∈S_o} w_o ⋆ x_c + b_o = w_o ⋆ (Σ_{c∈S_o} x_c) + b_o  (one conv of the channel sum);
/// - mean: the same sum divided by |S_o|;
/// - max:  y_o = max_{c∈S_o} (w_o ⋆ x_c) + b_o, the gradient flowing to the arg-max channel (the
///         first maximal one on a tie; a NaN response wins, so NaN propagates). One fused op
///         (kernels/shared_conv.hpp): unconnected pairs are never computed, the backward saves only the
///         arg-max channel per output element; TBB over images, bit-identical for any thread count.
/// S_o is every channel, or table->inputs_of(o) when a table [O][C] is given. sum and mean are composites
/// of recorded ops. Throws ValueError naming "shared_conv2d" and the shapes on a mismatch (max also on a
/// non-floating or mixed dtype, a non-positive stride, a negative padding or an empty output).
Tensor shared_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ChannelReduce reduce,
                     const std::optional<ConnectionTable>& table = std::nullopt,
                     std::array<int64_t, 2> stride = {1, 1}, std::array<int64_t, 2> padding = {0, 0});

}  // namespace tapenet
