#pragma once
/// \file Shared-kernel convolution with a channel max (SharedConv2d, reduce=max) on contiguous NCHW buffers.
///
///   y[n, o] = max_{c in S_o} (w_o ⋆ x[n, c]) + b_o,   w_o: one kh x kw kernel per output map
///
/// Every connected pair (o, c) is one output of a connection-table convolution that reads channel c
/// alone with the kernel w_o ("the pair convolution": out = connections, table = one input per row).
/// The forward runs it through the connection-table kernels (per image, register-blocked, connected
/// pairs only: unconnected pairs are never computed), then reduces each output's pairs to their
/// maximum and remembers the winning channel per output element. The backward routes gy[n, o, p] to
/// the pair of the winning channel only (zeros elsewhere) and runs the connection-table backward:
///   gx[n, c*]  += the patch-spread w_o · gy[n, o, p]      (c* = argmax[n, o, p])
///   gw[o]      += Σ_{n, p} gy[n, o, p] · patch(x[n, c*], p)
///   gb[o]      += Σ_{n, p} gy[n, o, p]
/// Ties go to the first (lowest) maximal channel; a NaN response wins (the first NaN), so NaN
/// propagates — the rule of the max reduction (framework/kernels/reduction.hpp).
///
/// Threads: parallel_for over images (and the connection-table kernels' own partition); every result is
/// bit-identical for any thread count. Instantiated for float and double through the Tensor entry points.
#include <cstdint>
#include <vector>

#include "framework/kernels/connection_conv.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// Everything the kernels need to know about one shared-kernel max convolution.
struct SharedMaxPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  /// The pairs of output o are pair_begin[o] .. pair_begin[o + 1], its input channels ascending.
  std::vector<int64_t> pair_begin;
  /// The input channel of each pair.
  std::vector<int64_t> pair_channel;
  /// pair_of[o * in_channels + c]: the pair (o, c), or -1 when o does not read c.
  std::vector<int64_t> pair_of;
  /// The pair convolution: pairs() outputs, pair r reading pair_channel[r] only.
  ConnectionConvPlan pair_conv;

  /// Number of connected (output, input) pairs.
  int64_t pairs() const { return static_cast<int64_t>(pair_channel.size()); }
};

/// Builds the plan from the row-major boolean matrix `connected` [out_channels * in_channels]
/// (connected[o * in_channels + c]: output o reads input c; every output must read at least one input).
/// Any stride, padding and dilation in `geometry`. Shapes must be valid (the op checks them).
SharedMaxPlan plan_shared_max_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                     const std::vector<bool>& connected, const ConvGeometry& geometry);

/// output [batch, out_channels, out_h, out_w] = max over the channels each output reads of
/// input [batch, in_channels, in_h, in_w] ⋆ weight [out_channels, 1, kh, kw], + bias [out_channels]
/// (bias may be undefined). Assigns output and argmax (resized to output.numel(): the winning input
/// channel of every output element). All tensors share a floating dtype. Runs under parallel_for.
void shared_max_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               std::vector<int32_t>& argmax, const SharedMaxPlan& plan);

/// Gradients of shared_max_conv2d_forward given grad_output (the output's shape) and the forward's
/// argmax. For each non-null buffer: *grad_input += d/d(input), *grad_weight += d/d(weight),
/// *grad_bias += grad_output summed over batch and space. Accumulates. Runs under parallel_for.
void shared_max_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                const std::vector<int32_t>& argmax, Tensor* grad_input, Tensor* grad_weight,
                                Tensor* grad_bias, const SharedMaxPlan& plan);

}  // namespace tapenet::kernels
