#pragma once
/// \file 2-D convolution kernels (dense, grouped, depthwise) on contiguous NCHW buffers.
///
/// Three algorithms, chosen per shape by plan_conv2d:
/// - `gemm`: parallel_for over blocks of images; a task unfolds a few images at a time (im2col) and
///   multiplies them with one GEMM per group on its own thread. Backward reuses the forward's columns when they fit in cache
///   (kConvKeptColumns) and recomputes them otherwise, so memory stays bounded for large layers.
///   With a single block (small batch): im2col under parallel_for, GEMMs split over TBB by blas::gemm.
/// - `gemm_rows` (stride_h 1, deep enough): like `gemm`, one image per run, but unfolds only the kernel
///   columns: U [C_in * kw, padded_h * out_w] (a third of the columns for a 3x3 kernel), and kernel row i
///   reads U shifted by i * dilation_h output rows, so each pass is kh GEMMs of depth C_in * kw
///   accumulated. Columns are never kept; backward re-unfolds (cheap) and folds U with col2im.
/// - `direct`: grouped convs whose output channels each read one input channel (depthwise, with or
///   without a channel multiplier): a connection-table convolution with a diagonal channel map, run by
///   the register-blocked kernels of connection_conv.hpp on the grouped weight (no GEMM; 1.7-2.8x
///   faster than plain plane loops on the all-conv net's depthwise layers).
///
/// Forward assigns its output; backward accumulates (`+=`) into the gradient buffers it is given.
/// Every summation order depends on the shapes and the plan only, so results are bit-identical for
/// any thread count. Never call these kernels from inside a parallel_for task (they issue GEMMs).
#include <cstdint>

#include "framework/kernels/connection_conv.hpp"
#include "framework/kernels/im2col.hpp"
#include "framework/tensor.hpp"

namespace tapenet::kernels {

enum class Conv2dAlgorithm { gemm, gemm_rows, direct };

/// Everything the kernels need to know about one convolution; weights are [out, in / groups, kh, kw].
struct Conv2dPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0, groups = 1;
  ConvGeometry geometry;
  Conv2dAlgorithm algorithm = Conv2dAlgorithm::gemm;
  /// Images per parallel task of the gemm algorithms (1..batch); one block runs on the calling thread.
  int64_t chunk = 1;
  /// Images whose columns share one GEMM in the gemm algorithm (1..chunk); gemm_rows runs single images.
  int64_t gemm_images = 1;
  /// Whether the forward pass may keep the columns for the backward pass (gemm algorithm, small enough
  /// to stay in cache); otherwise backward recomputes them.
  bool keep_columns = false;
  /// When in_per_group() == 1 (direct applies): the channel map, output o reading input
  /// o / out_per_group() (weight_in = 1).
  ConnectionConvPlan channels;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  /// Rows of one group's column matrix (= columns of the weight viewed as [out, in/groups * kh * kw]).
  int64_t group_rows() const { return in_per_group() * geometry.kernel_size(); }
};

/// Picks the algorithm (direct when groups > 1 and in_channels / groups == 1; gemm_rows when stride_h is
/// 1, kernel_h > 1, runs are single images and in_channels / groups * kernel_w >= kConvRowsDepth) and a
/// chunk that splits the batch into at most kConvBlocks blocks, with runs of gemm_images images of about
/// kConvGemmColumns GEMM columns. Shapes must be valid (the op checks them).
Conv2dPlan plan_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups,
                       const ConvGeometry& geometry);

/// Blocks of images (parallel tasks of the gemm algorithm) that plan_conv2d aims for.
constexpr int64_t kConvBlocks = 16;
/// GEMM columns (images * out_h * out_w) that plan_conv2d aims for when images are small.
constexpr int64_t kConvGemmColumns = 256;
/// Smallest GEMM depth (in_channels / groups * kernel_w) for which plan_conv2d picks gemm_rows: shallower
/// GEMMs run well below OpenBLAS's peak, and full im2col columns are cheap for few channels anyway.
constexpr int64_t kConvRowsDepth = 64;
/// Largest column buffer (elements, whole batch) that plan_conv2d lets the forward pass keep.
constexpr int64_t kConvKeptColumns = 1 << 21;

/// output [batch, out_channels, out_h, out_w] = conv2d(input [batch, in_channels, in_h, in_w],
/// weight) + bias [out_channels] (bias may be undefined). Assigns. All tensors share a floating dtype.
/// When `keep`, plan.keep_columns and the gemm algorithm, returns the im2col columns for
/// conv2d_backward (an opaque buffer of batch * in_channels * kh * kw * out_h * out_w elements);
/// otherwise an undefined tensor.
Tensor conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                      const Conv2dPlan& plan, bool keep = false);

/// Gradients of conv2d_forward given grad_output (the output's shape) and the columns it returned
/// (undefined: recomputed from input). For each non-null buffer: *grad_input += d/d(input),
/// *grad_weight += d/d(weight), *grad_bias += grad_output summed over batch and space. Accumulates.
void conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight, const Tensor& columns,
                     Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias, const Conv2dPlan& plan);

}  // namespace tapenet::kernels
