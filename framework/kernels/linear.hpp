#pragma once
/// \file The affine map of a fully-connected layer, y = x W^T + b, through blas::gemm.
///
/// x is viewed as [rows, in] (all leading dimensions folded), W is [out, in] (PyTorch's layout).
/// GEMMs go through blas::gemm (split over TBB when large; safe inside TBB tasks).
/// The backward kernels accumulate (`+=`).
#include "framework/tensor.hpp"

namespace tapenet::kernels {

/// y[rows, out] = x[rows, in] W[out, in]^T (+ b[out] on every row when b is defined). Assigns.
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y);

/// gx[rows, in] += gy[rows, out] W[out, in].
void linear_grad_input(const Tensor& gy, const Tensor& w, Tensor& gx);

/// gw[out, in] += gy[rows, out]^T x[rows, in].
void linear_grad_weight(const Tensor& gy, const Tensor& x, Tensor& gw);

}  // namespace tapenet::kernels
