#pragma once
/// \file Differentiable softmax and log-softmax along one dimension.
/// `dim` may be negative (counts from the end). The result has x's shape and dtype. Throws
/// IndexError naming the op when dim is out of range, ValueError for an int64 tensor.
#include <cstdint>

#include "framework/tensor.hpp"

namespace tapenet {

/// exp(x) / sum_dim exp(x), computed stably: every lane along dim sums to 1.
Tensor softmax(const Tensor& x, int64_t dim);
/// log(softmax(x, dim)) computed directly as (x - max) - log(sum_dim exp(x - max)), so it stays
/// finite where softmax underflows to 0.
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace tapenet
