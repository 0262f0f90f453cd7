#include "framework/ops/activation.hpp"

#include <cmath>

#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

Tensor relu(const Tensor& x) {
  return pointwise(
      "relu", x, [](auto v) { return v < 0 ? decltype(v)(0) : v; },
      // gx += gy * (y > 0)
      [](auto, auto y, auto g) { return y > 0 ? g : decltype(g)(0); });
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return pointwise(
      "leaky_relu", x,
      [negative_slope](auto v) { return v > 0 ? v : static_cast<decltype(v)>(negative_slope) * v; },
      // gx += gy * (x > 0 ? 1 : negative_slope)
      [negative_slope](auto v, auto, auto g) { return v > 0 ? g : static_cast<decltype(g)>(negative_slope) * g; });
}

Tensor sigmoid(const Tensor& x) {
  return pointwise(
      "sigmoid", x,
      [](auto v) {
        using T = decltype(v);
        if (v >= 0) return T(1) / (T(1) + std::exp(-v));
        const T e = std::exp(v);
        return e / (T(1) + e);
      },
      // gx += gy * y * (1 - y)
      [](auto, auto y, auto g) { return g * y * (decltype(y)(1) - y); });
}

Tensor tanh(const Tensor& x) {
  return pointwise(
      "tanh", x, [](auto v) { return std::tanh(v); },
      // gx += gy * (1 - y^2)
      [](auto, auto y, auto g) { return g * (decltype(y)(1) - y * y); });
}

}  // namespace tapenet
