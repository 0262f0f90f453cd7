#pragma once
/// \file Tensor factories, named as in PyTorch (torch::zeros, torch::randn, ...).
/// Results are leaves with requires_grad false; call requires_grad_() to make a parameter.
#include <vector>

#include "framework/random.hpp"
#include "framework/tensor.hpp"

namespace tapenet {

Tensor zeros(const Shape& shape, DType dtype = DType::f32);
Tensor ones(const Shape& shape, DType dtype = DType::f32);
Tensor full(const Shape& shape, double value, DType dtype = DType::f32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
/// 0-d tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = DType::f32);
/// [start, end) in steps of `step` (PyTorch's rule for the length: ceil((end - start) / step)).
/// Throws ValueError when step is 0 or has the wrong sign.
Tensor arange(double start, double end, double step = 1, DType dtype = DType::f32);
inline Tensor arange(double end, DType dtype = DType::f32) { return arange(0, end, 1, dtype); }

/// Copies `values` into a tensor of `shape` (dtype from T). Throws ValueError when the counts differ.
Tensor from_vector(const std::vector<float>& values, const Shape& shape);
Tensor from_vector(const std::vector<double>& values, const Shape& shape);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);

/// Uniform in [0, 1).
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::f32);
Tensor rand(const Shape& shape, DType dtype = DType::f32);
/// Standard normal.
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::f32);
Tensor randn(const Shape& shape, DType dtype = DType::f32);
/// Uniform in [low, high).
Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype = DType::f32);
Tensor uniform(const Shape& shape, double low, double high, DType dtype = DType::f32);

}  // namespace tapenet
