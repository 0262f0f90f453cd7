#pragma once
/// \file Connection-table 2-D convolution kernels (LeNet-5's C3) on contiguous NCHW buffers.
///
/// Output map o reads only the input maps c with connected(o, c); the weight keeps PyTorch's dense
/// layout [out, in, kh, kw] and its unconnected slices are never read (forward) nor written
/// (backward). Work is proportional to the number of connections, not to in * out.
///
/// Algorithm: images are processed independently under parallel_for, each in small per-thread buffers
/// that stay in cache; no batch-sized column buffer and no GEMM call (so the kernels run on TBB
/// workers). Register-blocked micro-kernels touch connected pairs only. Per input channel c with
/// readers S_c = {o : connected(o, c)} and its "source" rows src_c[t], one per kernel tap t:
///   forward        y[S_c]     += W[S_c, c, t] * src_c[t]       summed over t
///   grad weight    gW[S_c, c, t] += <gy[S_c], src_c[t]>         summed over the images
/// Stride 1 (any padding and dilation) needs no im2col: the source is the zero-padded image itself and
/// src_c[t] is that plane shifted by tap t, read on an output grid as wide as the padded image (the
/// extra columns are computed and dropped); the input gradient gathers, per output o, W[o, c, t] times
/// gy[o] shifted back by t into every c read by o. Other strides unfold (im2col) the used channels of
/// one image at a time and fold the input gradient back with col2im. The micro-kernels are compiled for
/// AVX2 + FMA and for the baseline ISA and chosen once at run time by the CPU's features.
///
/// Forward assigns its output; backward accumulates (`+=`) into the gradient buffers it is given and
/// leaves unconnected weight slices untouched. The weight gradient is summed over a fixed partition of
/// the batch (images_per_block) and then over the blocks in order, so every result is bit-identical
/// for any thread count (on one CPU: the AVX2 and baseline kernels round differently). Instantiated for float and
/// double through the Tensor entry points.
#include <cstdint>
#include <vector>

#include "framework/kernels/im2col.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// Everything the kernels need to know about one connection-table convolution.
struct ConnectionConvPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  ConvGeometry geometry;
  /// The outputs reading input channel c, ascending: readers[reader_begin[c] .. reader_begin[c + 1]).
  std::vector<int64_t> reader_begin, readers;
  /// The inputs read by output o, ascending: inputs[input_begin[o] .. input_begin[o + 1]).
  std::vector<int64_t> input_begin, inputs;
  /// Images per partial sum of the weight and bias gradients (depends on the shapes only).
  int64_t images_per_block = 1;
  /// The weight's second dimension: in_channels for a connection-table weight [out, in, kh, kw]
  /// (plan_connection_conv2d's choice), in_channels / groups for a grouped weight [out, in / groups,
  /// kh, kw], whose input c sits at position c % weight_in of its group.
  int64_t weight_in = 0;

  /// Where the kernel of pair (o, c) starts in the weight.
  int64_t weight_offset(int64_t o, int64_t c) const { return (o * weight_in + c % weight_in) * geometry.kernel_size(); }

  /// Number of connected (output, input) pairs.
  int64_t connections() const { return static_cast<int64_t>(readers.size()); }
  /// Whether input channel c feeds at least one output.
  bool channel_used(int64_t c) const { return reader_begin[c + 1] > reader_begin[c]; }
};

/// Builds the plan from the row-major boolean matrix `connected` [out_channels * in_channels]
/// (connected[o * in_channels + c]: output o reads input c) for a dense-layout weight (weight_in =
/// in_channels). Shapes must be valid (the op checks them).
ConnectionConvPlan plan_connection_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                          const std::vector<bool>& connected, const ConvGeometry& geometry);

/// output [batch, out_channels, out_h, out_w] = the convolution of input [batch, in_channels, in_h, in_w]
/// with weight [out_channels, in_channels, kh, kw] restricted to the connected pairs, + bias
/// [out_channels] (bias may be undefined). Assigns. All tensors share a floating dtype.
/// Runs under parallel_for over images.
void connection_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               const ConnectionConvPlan& plan);

/// Gradients of connection_conv2d_forward given grad_output (the output's shape). For each non-null
/// buffer: *grad_input += d/d(input), *grad_weight += d/d(weight) in the connected slices only (the
/// others are not touched), *grad_bias += grad_output summed over batch and space. Accumulates.
/// Runs under parallel_for over blocks of images.
void connection_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias,
                                const ConnectionConvPlan& plan);

}  // namespace tapenet::kernels
