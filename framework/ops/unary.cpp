#include "framework/ops/unary.hpp"

#include <cmath>
#include <limits>

#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

Tensor exp(const Tensor& x) {
  return pointwise(
      "exp", x, [](auto v) { return std::exp(v); },
      // gx += gy * y
      [](auto, auto y, auto g) { return g * y; });
}

Tensor log(const Tensor& x) {
  return pointwise(
      "log", x, [](auto v) { return std::log(v); },
      // gx += gy / x
      [](auto v, auto, auto g) { return g / v; });
}

Tensor sqrt(const Tensor& x) {
  return pointwise(
      "sqrt", x, [](auto v) { return std::sqrt(v); },
      // gx += gy / (2 y)
      [](auto, auto y, auto g) { return g / (y + y); });
}

Tensor abs(const Tensor& x) {
  return pointwise(
      "abs", x, [](auto v) { return std::abs(v); },
      // gx += gy * sign(x)
      [](auto v, auto, auto g) {
        using T = decltype(v);
        return v > 0 ? g : v < 0 ? -g : T(0);
      });
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  if (!min && !max) throw ValueError("clamp: at least one of min and max must be given");
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double lo = min.value_or(-inf), hi = max.value_or(inf);
  return pointwise(
      "clamp", x,
      [lo, hi](auto v) {
        using T = decltype(v);
        const T below = v < static_cast<T>(lo) ? static_cast<T>(lo) : v;
        return below > static_cast<T>(hi) ? static_cast<T>(hi) : below;
      },
      // gx += gy where min <= x <= max
      [lo, hi](auto v, auto, auto g) {
        using T = decltype(v);
        return static_cast<T>(lo) <= v && v <= static_cast<T>(hi) ? g : T(0);
      });
}

}  // namespace tapenet
