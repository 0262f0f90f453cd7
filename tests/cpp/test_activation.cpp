#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/activation.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"

using namespace tapenet;

namespace {

// Gradient of sum(f(x)) for a float64 vector x.
template <class F>
std::vector<double> grad_of_sum(const std::vector<double>& values, F f) {
  Tensor x = from_vector(values, {static_cast<int64_t>(values.size())}).requires_grad_();
  sum(f(x)).backward();
  return {x.grad().data<double>(), x.grad().data<double>() + x.numel()};
}

}  // namespace

TEST_CASE("relu and leaky_relu forward and gradient, including at 0", "[activation]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = from_vector(std::vector<double>{-2, -0.5, 0, 0.5, 3, nan}, {6});
  const std::vector<double> r = {0, 0, 0, 0.5, 3};
  const std::vector<double> l = {-0.02, -0.005, 0, 0.5, 3};
  for (int64_t i = 0; i < 5; ++i) {
    CHECK(relu(x).at<double>({i}) == r[i]);
    CHECK(leaky_relu(x).at<double>({i}) == Approx(l[i]).epsilon(1e-15));
    CHECK(leaky_relu(x, 0.2).at<double>({i}) == Approx(i < 3 ? 0.2 * x.at<double>({i}) : x.at<double>({i})));
  }
  CHECK(std::isnan(relu(x).at<double>({5})));
  CHECK(std::isnan(leaky_relu(x).at<double>({5})));
  const std::vector<double> values = {-2, -0.5, 0, 0.5, 3};
  CHECK(grad_of_sum(values, [](const Tensor& t) { return relu(t); }) == std::vector<double>{0, 0, 0, 1, 1});
  CHECK(grad_of_sum(values, [](const Tensor& t) { return leaky_relu(t, 0.25); }) ==
        std::vector<double>{0.25, 0.25, 0.25, 1, 1});
}

TEST_CASE("sigmoid and tanh match naive formulas and saturate without NaN", "[activation]") {
  Generator g(21);
  const Tensor x = randn({3, 5}, g, DType::f64) * 3.0;
  const Tensor s = sigmoid(x), t = tanh(x);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      const double v = x.at<double>({i, j});
      CHECK(s.at<double>({i, j}) == Approx(1.0 / (1.0 + std::exp(-v))).epsilon(1e-14));
      CHECK(t.at<double>({i, j}) == Approx((std::exp(v) - std::exp(-v)) / (std::exp(v) + std::exp(-v))).epsilon(1e-13));
    }
  const Tensor extreme = from_vector(std::vector<float>{-1000.f, -80.f, 0.f, 100.f, 1000.f}, {5});
  const Tensor se = sigmoid(extreme);
  CHECK(se.at<float>({0}) == 0.0f);
  CHECK(se.at<float>({1}) == Approx(std::exp(-80.0)).epsilon(1e-5));
  CHECK(se.at<float>({2}) == 0.5f);
  CHECK(se.at<float>({4}) == 1.0f);
  CHECK(tanh(extreme).at<float>({0}) == -1.0f);
  CHECK(tanh(extreme).at<float>({4}) == 1.0f);
  const std::vector<double> gs = grad_of_sum({0.0, 2.0}, [](const Tensor& v) { return sigmoid(v); });
  CHECK(gs[0] == 0.25);
  const double s2 = 1.0 / (1.0 + std::exp(-2.0));
  CHECK(gs[1] == Approx(s2 * (1 - s2)).epsilon(1e-14));
  const std::vector<double> gt = grad_of_sum({0.0, -1.5}, [](const Tensor& v) { return tanh(v); });
  CHECK(gt[0] == 1.0);
  CHECK(gt[1] == Approx(1 - std::tanh(1.5) * std::tanh(1.5)).epsilon(1e-14));
}

TEST_CASE("activations pass gradcheck at several shapes", "[activation][gradcheck]") {
  Generator g(22);
  for (const Shape& shape : std::vector<Shape>{{1}, {3, 5}, {2, 3, 7}, {1, 4, 1}}) {
    INFO(shape_str(shape));
    const Tensor x = (randn(shape, g, DType::f64) * 2.0).requires_grad_();
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return relu(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return leaky_relu(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return leaky_relu(v[0], 0.3); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return sigmoid(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return tanh(v[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return tanh(sigmoid(relu(v[0]))); }, {x}));
  }
}

TEST_CASE("activations refuse int64 tensors naming the op", "[activation]") {
  const Tensor labels = from_vector(std::vector<int64_t>{1, 2}, {2});
  CHECK_THROWS_WITH(relu(labels), Catch::Contains("relu: expected a floating tensor"));
  CHECK_THROWS_WITH(leaky_relu(labels), Catch::Contains("leaky_relu:"));
  CHECK_THROWS_WITH(sigmoid(labels), Catch::Contains("sigmoid:"));
  CHECK_THROWS_AS(tanh(labels), ValueError);
}
