#include "framework/ops/shape_ops.hpp"

#include <algorithm>
#include <numeric>

#include "framework/kernels/copy.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

// `shape` with its -1 (if any) replaced by the extent that makes it hold `numel` elements.
Shape infer_shape(const Shape& shape, const Shape& from, int64_t numel) {
  const auto invalid = [&](const char* why) {
    std::string msg("reshape: shape ");
    msg.append(shape_str(shape)).append(" is invalid for input of shape ").append(shape_str(from));
    return ValueError(msg.append(" (").append(why).append(")"));
  };
  Shape out = shape;
  int64_t known = 1;
  auto inferred = out.end();
  for (auto it = out.begin(); it != out.end(); ++it) {
    if (*it == -1 && inferred != out.end()) throw invalid("only one dimension can be -1");
    if (*it == -1)
      inferred = it;
    else if (*it < 0)
      throw invalid("negative extent");
    else
      known *= *it;
  }
  if (inferred != out.end()) {
    if (known == 0 || numel % known != 0) throw invalid("the element counts differ");
    *inferred = numel / known;
  } else if (known != numel) {
    throw invalid("the element counts differ");
  }
  return out;
}

// y (shape `out`, contiguous) = x read through `source`; the op behind permute and slice.
Tensor gather(const char* name, const Tensor& x, const Shape& out, const kernels::StridedView& source) {
  Tensor y = Tensor::empty(out, x.dtype());
  kernels::strided_copy(out, x, source, y, kernels::contiguous_view(out), false);
  if (needs_grad(x))
    record(name, y, [x, source](const Tensor& gy, const Tensor&) {
      // gx[source] += gy: gy written back through the strides it was read with
      kernels::strided_copy(gy.shape(), gy, kernels::contiguous_view(gy.shape()), grad_buffer(x), source, true);
    });
  return y;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  Tensor y = x.detach();
  y.impl()->shape = infer_shape(shape, x.shape(), x.numel());
  if (needs_grad(x))
    record("reshape", y, [x](const Tensor& gy, const Tensor&) {
      // gx += reshape(gy, x.shape)
      kernels::accumulate(grad_buffer(x), reshape(gy, x.shape()));
    });
  return y;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  const int64_t s = normalize_dim(start_dim, x.dim(), "flatten"), e = normalize_dim(end_dim, x.dim(), "flatten");
  if (x.dim() == 0) return reshape(x, {1});
  if (s > e)
    throw ValueError("flatten: start_dim " + std::to_string(start_dim) + " comes after end_dim " +
                     std::to_string(end_dim) + " for a tensor of shape " + shape_str(x.shape()));
  const Shape& in = x.shape();
  Shape out(in.begin(), in.begin() + s);
  out.push_back(std::accumulate(in.begin() + s, in.begin() + e + 1, int64_t{1}, std::multiplies<>()));
  out.insert(out.end(), in.begin() + e + 1, in.end());
  return reshape(x, out);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  const int64_t d = normalize_dim(dim, x.dim() + 1, "unsqueeze");
  Shape out = x.shape();
  out.insert(out.begin() + d, 1);
  return reshape(x, out);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  const int64_t d = normalize_dim(dim, x.dim(), "squeeze");
  Shape out = x.shape();
  if (x.dim() > 0 && out[d] == 1) out.erase(out.begin() + d);
  return reshape(x, out);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  const int64_t nd = x.dim();
  if (static_cast<int64_t>(dims.size()) != nd)
    throw ValueError("permute: dims " + shape_str(dims) + " do not match the " + std::to_string(nd) +
                     " dimensions of shape " + shape_str(x.shape()));
  const std::vector<int64_t> x_strides = contiguous_strides(x.shape());
  std::vector<bool> seen(dims.size(), false);
  Shape out(dims.size());
  kernels::StridedView source{0, std::vector<int64_t>(dims.size())};
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = normalize_dim(dims[i], nd, "permute");
    if (seen[d]) throw ValueError("permute: dim " + std::to_string(d) + " repeats in " + shape_str(dims));
    seen[d] = true;
    out[i] = x.shape()[d];
    source.strides[i] = x_strides[d];
  }
  return gather("permute", x, out, source);
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  const int64_t a = normalize_dim(dim0, x.dim(), "transpose"), b = normalize_dim(dim1, x.dim(), "transpose");
  std::vector<int64_t> dims(x.shape().size());
  std::iota(dims.begin(), dims.end(), int64_t{0});
  if (!dims.empty()) std::swap(dims[a], dims[b]);
  return permute(x, dims);
}

Tensor t(const Tensor& x) {
  if (x.dim() > 2)
    throw ValueError("t: expected a tensor with at most 2 dimensions, got shape " + shape_str(x.shape()));
  return x.dim() == 2 ? transpose(x, 0, 1) : reshape(x, x.shape());
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw ValueError("concat: expected a non-empty list of tensors");
  const Tensor& first = tensors.front();
  if (first.dim() == 0) throw ValueError("concat: a 0-d tensor (position 0) cannot be concatenated");
  const int64_t d = normalize_dim(dim, first.dim(), "concat");
  Shape out = first.shape();
  out[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& x = tensors[i];
    check_same_dtype(first, x, "concat");
    Shape expected = first.shape();
    if (x.dim() == first.dim()) expected[d] = x.shape()[d];
    if (x.shape() != expected)
      throw ValueError("concat: sizes must match except in dimension " + std::to_string(d) + ", got " +
                       shape_str(first.shape()) + " (position 0) and " + shape_str(x.shape()) + " (position " +
                       std::to_string(i) + ")");
    out[d] += x.shape()[d];
  }
  Tensor y = Tensor::empty(out, first.dtype());
  // blocks[i]: where input i lives in y (its element offset along dim, y's strides).
  std::vector<kernels::StridedView> blocks;
  const std::vector<int64_t> y_strides = contiguous_strides(out);
  int64_t start = 0;
  for (const Tensor& x : tensors) {
    blocks.push_back({start * y_strides[d], y_strides});
    kernels::strided_copy(x.shape(), x, kernels::contiguous_view(x.shape()), y, blocks.back(), false);
    start += x.shape()[d];
  }
  const bool any_grad =
      grad_enabled() && std::any_of(tensors.begin(), tensors.end(), [](const Tensor& x) { return x.requires_grad(); });
  if (any_grad)
    record("concat", y, [tensors, blocks](const Tensor& gy, const Tensor&) {
      // gx_i += gy[block i along dim]
      for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].requires_grad())
          kernels::strided_copy(tensors[i].shape(), gy, blocks[i], grad_buffer(tensors[i]),
                                kernels::contiguous_view(tensors[i].shape()), true);
    });
  return y;
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  const int64_t d = normalize_dim(dim, x.dim(), "slice");
  if (x.dim() == 0) throw IndexError("slice: a 0-d tensor has no dimension to slice");
  if (step <= 0) throw ValueError("slice: step must be positive, got " + std::to_string(step));
  const int64_t n = x.shape()[d];
  const auto clamp = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  const int64_t lo = clamp(start), hi = std::max(lo, clamp(end));
  Shape out = x.shape();
  out[d] = hi == lo ? 0 : (hi - lo - 1) / step + 1;
  kernels::StridedView source = kernels::contiguous_view(x.shape());
  source.offset = lo * source.strides[d];
  source.strides[d] *= step;
  return gather("slice", x, out, source);
}

Tensor to_dtype(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  if (!is_floating(dtype))
    throw ValueError(std::string("to_dtype: conversion from ") + dtype_name(x.dtype()) + " to " + dtype_name(dtype) +
                     " is not supported (" + shape_str(x.shape()) + ")");
  Tensor y = Tensor::empty(x.shape(), dtype);
  kernels::convert(x, y, false);
  if (needs_grad(x))
    record("to_dtype", y, [x](const Tensor& gy, const Tensor&) {
      // gx += convert(gy, x.dtype)
      kernels::convert(gy, grad_buffer(x), true);
    });
  return y;
}

}  // namespace tapenet
