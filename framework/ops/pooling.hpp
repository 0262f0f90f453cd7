#pragma once
/// \file Differentiable pooling with PyTorch's semantics (torch.nn.functional): max_pool2d,
/// avg_pool2d, adaptive_avg_pool2d over NCHW images, and channel_max_pool (maxout).
///
/// The 2-D ops take a floating x [N, C, H, W] with H, W >= 1 and return [N, C, OH, OW] of x's dtype.
/// kernel_size, stride and padding are {height, width}; stride {0, 0} (the default) means
/// kernel_size. Per dimension, with ceil_mode rounding up instead of down:
///   OH = floor_or_ceil((H + 2 * padding - kernel_size) / stride) + 1,
/// minus one in ceil_mode when the last window would start in the right padding (PyTorch's rule).
/// Throws ValueError naming the op and the shapes for another rank, a non-floating dtype, a
/// kernel_size < 1, a stride < 1 (other than {0, 0}), a padding < 0 or > kernel_size / 2, and an
/// output smaller than 1 x 1. Kernels run in parallel over the N * C planes (bit-identical for any
/// thread count).
#include <array>
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet {

/// Maximum over each window; padding counts as -inf (it never wins) and NaN propagates.
/// Saves the int64 arg-max indices; the gradient flows to the first maximum of each window.
Tensor max_pool2d(const Tensor& x, std::array<int64_t, 2> kernel_size, std::array<int64_t, 2> stride = {0, 0},
                  std::array<int64_t, 2> padding = {0, 0}, bool ceil_mode = false);

/// Mean over each window. The divisor is PyTorch's: with count_include_pad the number of window
/// positions inside the padded input (a ceil_mode window hanging past the right padding is cut
/// there), otherwise the number inside the input.
Tensor avg_pool2d(const Tensor& x, std::array<int64_t, 2> kernel_size, std::array<int64_t, 2> stride = {0, 0},
                  std::array<int64_t, 2> padding = {0, 0}, bool ceil_mode = false, bool count_include_pad = true);

/// Mean over PyTorch's adaptive bins: output row i averages input rows
/// [floor(i H / OH), ceil((i + 1) H / OH)), columns likewise, so bins may overlap. Output size
/// {1, 1} is global average pooling. Throws ValueError for an output_size entry < 1.
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> output_size);

/// Maxout (Goodfellow et al. 2013): the maximum over consecutive groups of k channels,
/// x [N, C, *] -> [N, C / k, *], where * is zero or more spatial dimensions. NaN propagates; the
/// gradient flows to the first arg-max channel (saved as int64 indices). Runs in parallel over the
/// N * C / k groups. Throws ValueError for fewer than 2 dimensions, k < 1, C % k != 0 or a
/// non-floating dtype.
Tensor channel_max_pool(const Tensor& x, int64_t k);

}  // namespace tapenet
