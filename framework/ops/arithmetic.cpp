#include "framework/ops/arithmetic.hpp"

#include <cmath>

#include "framework/factories.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor y = broadcast_binary(a, b, "add", [](auto x, auto z) { return x + z; });
  if (needs_grad(a, b))
    record("add", y, [a, b](const Tensor& gy, const Tensor&) {
      // ga += gy; gb += gy (summed over broadcast dims)
      if (a.requires_grad()) accumulate_reduced(a, gy);
      if (b.requires_grad()) accumulate_reduced(b, gy);
    });
  return y;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor y = broadcast_binary(a, b, "sub", [](auto x, auto z) { return x - z; });
  if (needs_grad(a, b))
    record("sub", y, [a, b](const Tensor& gy, const Tensor&) {
      // ga += gy; gb -= gy
      if (a.requires_grad()) accumulate_reduced(a, gy);
      if (b.requires_grad()) accumulate_reduced(b, neg(gy));
    });
  return y;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor y = broadcast_binary(a, b, "mul", [](auto x, auto z) { return x * z; });
  if (needs_grad(a, b))
    record("mul", y, [a, b](const Tensor& gy, const Tensor&) {
      // ga += gy * b; gb += gy * a
      const auto times = [](auto g, auto v) { return g * v; };
      if (a.requires_grad()) accumulate_reduced(a, broadcast_binary(gy, b, "mul backward", times));
      if (b.requires_grad()) accumulate_reduced(b, broadcast_binary(gy, a, "mul backward", times));
    });
  return y;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor y = broadcast_binary(a, b, "div", [](auto x, auto z) { return x / z; });
  if (needs_grad(a, b))
    record("div", y, [a, b](const Tensor& gy, const Tensor& y) {
      // ga += gy / b; gb -= gy * y / b
      const auto over = [](auto g, auto v) { return g / v; };
      const Tensor gy_over_b = broadcast_binary(gy, b, "div backward", over);
      if (a.requires_grad()) accumulate_reduced(a, gy_over_b);
      if (b.requires_grad())
        accumulate_reduced(b, broadcast_binary(gy_over_b, y, "div backward", [](auto g, auto v) { return -g * v; }));
    });
  return y;
}

Tensor neg(const Tensor& x) {
  return pointwise("neg", x, [](auto v) { return -v; }, [](auto, auto, auto g) { return -g; });
}

Tensor pow(const Tensor& x, double exponent) {
  return pointwise(
      "pow", x, [exponent](auto v) { return std::pow(v, static_cast<decltype(v)>(exponent)); },
      // gx += gy * p * x^(p-1)
      [exponent](auto v, auto, auto g) {
        using T = decltype(v);
        return exponent == 0 ? T(0) : g * static_cast<T>(exponent) * std::pow(v, static_cast<T>(exponent - 1));
      });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_tensor(b, a.dtype())); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_tensor(b, a.dtype())); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_tensor(b, a.dtype())); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_tensor(b, a.dtype())); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_tensor(a, b.dtype()), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_tensor(a, b.dtype()), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_tensor(a, b.dtype()), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_tensor(a, b.dtype()), b); }

}  // namespace tapenet
