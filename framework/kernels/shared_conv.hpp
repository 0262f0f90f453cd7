#pragma once
/// \file Shared-kernel convolution with a channel max (SharedConv2d, reduce=max) on contiguous NCHW buffers.
///
///   y[n, o] = max_{c in S_o} (w_o ⋆ x[n, c]) + b_o,   w_o: one kh x kw kernel per output map
///
/// Algorithm: images are processed independently under parallel_for in small per-thread buffers that
/// stay in cache; no batch-sized intermediate, no GEMM call. A connected (output, input) pair is
/// (o, c) with c in S_o; unconnected pairs are never computed. Per input channel c, with its pairs
/// P_c = {(o, c)} and its "source" rows src_c[t], one per kernel tap t:
///   forward       r_o   = Σ_t w_o[t] · src_c[t] for the pairs of c (register-blocked), then the running
///                 maximum m_o and its channel a_o are updated in registers: channels are visited in
///                 ascending order, so a strict > keeps the first maximal channel on a tie; a NaN
///                 response wins unless m_o is already NaN (NaN propagates; the max reduction's rule).
///   backward      G_(o,c) = gy_o where a_o = c, zero elsewhere (the gradient routed to the winner);
///                 gw_o[t] += Σ_c <G_(o,c), src_c[t]>;  gx_c += Σ_{o, t} w_o[t] · G_(o,c) shifted back by t
///                 (col2im for strides other than 1);  gb_o += Σ gy_o.
/// Stride 1 needs no im2col: the source is the zero-padded image and src_c[t] that plane shifted by tap
/// t, read on an output grid as wide as the padded image (the extra columns are computed and dropped).
/// Other strides unfold one channel of one image at a time. The micro-kernels are compiled for AVX2 +
/// FMA and for the baseline ISA and chosen once at run time by the CPU's features.
///
/// Forward assigns; backward accumulates (`+=`). The weight and bias gradients are summed over a fixed
/// partition of the batch (images_per_block), then over the blocks in order, so every result is
/// bit-identical for any thread count. Instantiated for float and double through the Tensor entry points.
#include <cstdint>
#include <vector>

#include "framework/kernels/im2col.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// Everything the kernels need to know about one shared-kernel max convolution (dilation 1).
struct SharedMaxPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  ConvGeometry geometry;
  /// The pairs of input channel c are reader_begin[c] .. reader_begin[c + 1]; pair r belongs to output
  /// readers[r] (ascending within a channel).
  std::vector<int64_t> reader_begin, readers;
  /// pair_of[o * in_channels + c]: the pair (o, c), or -1 when o does not read c.
  std::vector<int64_t> pair_of;
  /// first_channel[o]: the lowest input channel o reads.
  std::vector<int64_t> first_channel;
  /// Images per partial sum of the weight and bias gradients (depends on the shapes only).
  int64_t images_per_block = 1;

  /// Number of connected (output, input) pairs.
  int64_t pairs() const { return static_cast<int64_t>(readers.size()); }
  /// Whether input channel c feeds at least one output.
  bool channel_used(int64_t c) const { return reader_begin[c + 1] > reader_begin[c]; }
};

/// Builds the plan from the row-major boolean matrix `connected` [out_channels * in_channels]
/// (connected[o * in_channels + c]: output o reads input c; every output reads at least one input).
/// The geometry's dilation must be 1; in_channels < 2^24 (the forward tracks the winning channel as a
/// value of the tensor's dtype). Shapes must be valid (the op checks them).
SharedMaxPlan plan_shared_max_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                     const std::vector<bool>& connected, const ConvGeometry& geometry);

/// output [batch, out_channels, out_h, out_w] = max over the channels c each output o reads of
/// input[:, c] [batch, in_channels, in_h, in_w] ⋆ weight[o] [out_channels, 1, kh, kw], + bias
/// [out_channels] (bias may be undefined). Assigns output, and argmax (resized to output.numel()): the
/// winning input channel of every output element. All tensors share a floating dtype. Runs under
/// parallel_for over images.
void shared_max_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               std::vector<int32_t>& argmax, const SharedMaxPlan& plan);

/// Gradients of shared_max_conv2d_forward given grad_output (the output's shape) and the forward's
/// argmax. For each non-null buffer: *grad_input += d/d(input), *grad_weight += d/d(weight),
/// *grad_bias += grad_output summed over batch and space. Accumulates. Runs under parallel_for over
/// blocks of images.
void shared_max_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                const std::vector<int32_t>& argmax, Tensor* grad_input, Tensor* grad_weight,
                                Tensor* grad_bias, const SharedMaxPlan& plan);

}  // namespace tapenet::kernels
