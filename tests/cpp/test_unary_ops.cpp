#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/unary.hpp"

using namespace tapenet;

namespace {

// Checks y[i] == ref(x[i]) for every element of float64 tensors.
template <class Ref>
void check_elementwise(const Tensor& x, const Tensor& y, Ref ref) {
  REQUIRE(y.shape() == x.shape());
  REQUIRE(y.dtype() == x.dtype());
  for (int64_t i = 0; i < x.numel(); ++i) CHECK(y.data<double>()[i] == Approx(ref(x.data<double>()[i])).epsilon(1e-14));
}

// Gradient of sum(f(x)) for a float64 vector x.
template <class F>
std::vector<double> grad_of_sum(const std::vector<double>& values, F f) {
  Tensor x = from_vector(values, {static_cast<int64_t>(values.size())}).requires_grad_();
  sum(f(x)).backward();
  return {x.grad().data<double>(), x.grad().data<double>() + x.numel()};
}

const std::vector<Shape> kShapes = {{1}, {3, 5}, {2, 3, 7}, {1, 4, 1}};

}  // namespace

TEST_CASE("exp, log, sqrt and abs match the std functions at odd sizes", "[unary]") {
  Generator g(11);
  const Tensor x = randn({2, 3, 7}, g, DType::f64);
  const Tensor pos = uniform({3, 5}, 0.1, 4.0, g, DType::f64);
  check_elementwise(x, exp(x), [](double v) { return std::exp(v); });
  check_elementwise(pos, log(pos), [](double v) { return std::log(v); });
  check_elementwise(pos, sqrt(pos), [](double v) { return std::sqrt(v); });
  check_elementwise(x, abs(x), [](double v) { return std::fabs(v); });
  const Tensor xf = from_vector(std::vector<float>{-2.5f, 0.0f, 4.0f}, {3});
  CHECK(exp(xf).dtype() == DType::f32);
  CHECK(exp(xf).at<float>({0}) == Approx(std::exp(-2.5)).epsilon(1e-6));
  CHECK(sqrt(xf).at<float>({2}) == 2.0f);
  CHECK(abs(xf).at<float>({0}) == 2.5f);
  CHECK(std::isinf(log(xf).at<float>({1})));
  CHECK(std::isnan(log(xf).at<float>({0})));
}

TEST_CASE("abs has gradient sign(x), 0 at 0", "[unary]") {
  const std::vector<double> gx = grad_of_sum({-3.0, 0.0, 2.0, -0.0}, [](const Tensor& x) { return abs(x); });
  CHECK(gx == std::vector<double>{-1.0, 0.0, 1.0, 0.0});
}

TEST_CASE("clamp follows PyTorch: optional bounds, NaN kept, min > max gives max", "[unary]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = from_vector(std::vector<double>{-2, -1, -0.5, 0, 1, 2, nan}, {7});
  const Tensor both = clamp(x, -1.0, 1.0);
  const std::vector<double> expected = {-1, -1, -0.5, 0, 1, 1};
  for (int64_t i = 0; i < 6; ++i) CHECK(both.at<double>({i}) == expected[i]);
  CHECK(std::isnan(both.at<double>({6})));
  const Tensor lower = clamp(x, 0.0, std::nullopt);
  CHECK(lower.at<double>({0}) == 0.0);
  CHECK(lower.at<double>({5}) == 2.0);
  const Tensor upper = clamp(x, std::nullopt, -0.75);
  CHECK(upper.at<double>({0}) == -2.0);
  CHECK(upper.at<double>({2}) == -0.75);
  const Tensor crossed = clamp(x, 1.0, -1.0);
  for (int64_t i = 0; i < 6; ++i) CHECK(crossed.at<double>({i}) == -1.0);
  const Tensor xf = from_vector(std::vector<float>{0.05f, 0.5f}, {2});
  CHECK(clamp(xf, 0.1, 0.3).at<float>({0}) == 0.1f);
  CHECK(clamp(xf, 0.1, 0.3).at<float>({1}) == 0.3f);
}

TEST_CASE("clamp passes the gradient where min <= x <= max, bounds included", "[unary]") {
  const std::vector<double> values = {-2, -1, -0.5, 0, 1, 2};
  CHECK(grad_of_sum(values, [](const Tensor& x) { return clamp(x, -1.0, 1.0); }) ==
        std::vector<double>{0, 1, 1, 1, 1, 0});
  CHECK(grad_of_sum(values, [](const Tensor& x) { return clamp(x, 0.0, std::nullopt); }) ==
        std::vector<double>{0, 0, 0, 1, 1, 1});
  CHECK(grad_of_sum(values, [](const Tensor& x) { return clamp(x, std::nullopt, -1.0); }) ==
        std::vector<double>{1, 1, 0, 0, 0, 0});
  CHECK(grad_of_sum(values, [](const Tensor& x) { return clamp(x, 1.0, -1.0); }) ==
        std::vector<double>{0, 0, 0, 0, 0, 0});
}

TEST_CASE("unary ops pass gradcheck at several shapes", "[unary][gradcheck]") {
  Generator g(12);
  for (const Shape& shape : kShapes) {
    INFO(shape_str(shape));
    const Tensor x = randn(shape, g, DType::f64).requires_grad_();
    const Tensor pos = uniform(shape, 0.2, 3.0, g, DType::f64).requires_grad_();
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return exp(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return log(v[0]); }, {pos}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return sqrt(v[0]); }, {pos}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return abs(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return clamp(v[0], -0.5, 0.7); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return clamp(v[0], std::nullopt, 0.3); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return log(sqrt(exp(v[0]) + 1.0)); }, {x}));
  }
}

TEST_CASE("unary op errors name the op", "[unary]") {
  const Tensor labels = from_vector(std::vector<int64_t>{1, 2}, {2});
  CHECK_THROWS_WITH(clamp(ones({2}), std::nullopt, std::nullopt), Catch::Contains("clamp: at least one"));
  CHECK_THROWS_AS(clamp(ones({2}), std::nullopt, std::nullopt), ValueError);
  CHECK_THROWS_WITH(exp(labels), Catch::Contains("exp: expected a floating tensor"));
  CHECK_THROWS_WITH(log(labels), Catch::Contains("log:"));
  CHECK_THROWS_WITH(sqrt(labels), Catch::Contains("sqrt:"));
  CHECK_THROWS_AS(abs(labels), ValueError);
}
