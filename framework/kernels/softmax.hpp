#pragma once
/// \file Softmax and log-softmax along one dimension: forward and backward kernels.
///
/// A contiguous tensor is viewed as [outer, size, inner] around the dimension `dim` (already
/// normalised: in [0, ndim), 0 for a 0-d tensor), and each of its outer * inner lanes is normalised
/// on its own, stably (the lane's maximum is subtracted before exponentiating). All tensors share
/// x's shape and dtype; an int64 tensor throws ValueError naming the op.
///
/// Forward kernels assign `y`; backward kernels accumulate (`+=`) into `gx`. Lanes are split among
/// tasks but each lane is reduced by one task in index order, so results are bit-identical for any
/// thread count.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// y = exp(x - max) / sum(exp(x - max)) along dim.
void softmax_forward(const Tensor& x, int64_t dim, Tensor& y);
/// y = (x - max) - log(sum(exp(x - max))) along dim.
void log_softmax_forward(const Tensor& x, int64_t dim, Tensor& y);
/// gx += y * (gy - sum_dim(gy * y)), where y is the softmax output.
void softmax_backward(const Tensor& gy, const Tensor& y, int64_t dim, Tensor& gx);
/// gx += gy - exp(y) * sum_dim(gy), where y is the log-softmax output.
void log_softmax_backward(const Tensor& gy, const Tensor& y, int64_t dim, Tensor& gx);

}  // namespace tapenet::kernels
