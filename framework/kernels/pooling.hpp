#pragma once
/// \file Pooling kernels: 2-D max, average and adaptive average pooling over NCHW planes, and the
/// max over consecutive groups of channels (maxout).
///
/// 2-D kernels take a contiguous x [N, C, H, W] and y [N, C, OH, OW] whose shapes the op has
/// validated (framework/ops/pooling.hpp); in particular every window overlaps the input.
/// Forward kernels assign their outputs; backward kernels accumulate (`+=`) into the input's
/// gradient. Planes (or channel groups) are split among tasks and each is computed by one task
/// in a fixed order, so results are bit-identical for any thread count. Averages are summed in
/// double. A non-floating x throws ValueError naming the op.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// The windows of a strided 2-D pooling: output (oh, ow) covers input rows
/// oh * stride_h - pad_h + [0, kernel_h) and columns ow * stride_w - pad_w + [0, kernel_w);
/// positions outside the input are padding.
struct PoolWindow {
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
};

/// y = the maximum over each window (padding never wins; NaN propagates). indices (int64, y's
/// shape) = the flat index ih * W + iw, within its input plane, of the first maximum (of the first
/// NaN), as PyTorch's return_indices.
void max_pool2d_forward(const Tensor& x, const PoolWindow& window, Tensor& y, Tensor& indices);
/// gx[n, c].flat[indices[n, c, oh, ow]] += gy[n, c, oh, ow].
void max_pool2d_backward(const Tensor& gy, const Tensor& indices, Tensor& gx);

/// y = the sum over each window / its divisor, PyTorch's rule: the number of window positions
/// inside the padded input when count_include_pad, inside the input alone otherwise.
void avg_pool2d_forward(const Tensor& x, const PoolWindow& window, bool count_include_pad, Tensor& y);
/// gx[window] += gy / divisor for every output.
void avg_pool2d_backward(const Tensor& gy, const PoolWindow& window, bool count_include_pad, Tensor& gx);

/// y[n, c, i, j] = the mean of rows [floor(i H / OH), ceil((i + 1) H / OH)) and columns
/// [floor(j W / OW), ceil((j + 1) W / OW)) of plane (n, c) (PyTorch's adaptive bins).
void adaptive_avg_pool2d_forward(const Tensor& x, Tensor& y);
/// gx[bin] += gy / (bin area) for every output.
void adaptive_avg_pool2d_backward(const Tensor& gy, Tensor& gx);

/// x [N, C, *] viewed as [N, C, S], y [N, C / k, *]: y[n, g, s] = max_{j < k} x[n, g k + j, s]
/// (NaN propagates). argmax (int64, y's shape) = the input channel of the first maximum.
void channel_max_pool_forward(const Tensor& x, int64_t k, Tensor& y, Tensor& argmax);
/// gx[n, argmax[n, g, s], s] += gy[n, g, s].
void channel_max_pool_backward(const Tensor& gy, const Tensor& argmax, Tensor& gx);

}  // namespace tapenet::kernels
