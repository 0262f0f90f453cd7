#include <catch2/catch.hpp>

#include <cmath>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Shape pairs that exercise plain, broadcast, size-1 and 0-d operands.
const std::vector<std::pair<Shape, Shape>> kShapePairs = {
    {{3, 5}, {3, 5}}, {{3, 5}, {5}}, {{4, 1, 3}, {2, 1}}, {{1}, {2, 3}}, {{}, {3, 1}}, {{2, 3, 1}, {1, 3, 4}}};

Tensor positive(const Shape& s, Generator& g) { return uniform(s, 0.5, 2.0, g, DType::f64).requires_grad_(); }

}  // namespace

TEST_CASE("binary ops broadcast like NumPy", "[arithmetic]") {
  const Tensor a = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor col = from_vector(std::vector<float>{10, 20}, {2, 1});
  const Tensor row = from_vector(std::vector<float>{1, 2, 3}, {3});
  const Tensor s = a + col;
  CHECK(s.shape() == Shape{2, 3});
  CHECK(s.at<float>({1, 2}) == 26.0f);
  CHECK((a - row).at<float>({1, 0}) == 3.0f);
  CHECK((a * col).at<float>({0, 1}) == 20.0f);
  CHECK((a / row).at<float>({1, 2}) == 2.0f);
  CHECK((col * row).shape() == Shape{2, 3});
  CHECK((2.0 - a).at<float>({0, 0}) == 1.0f);
  CHECK((1.0 / a).at<float>({0, 1}) == 0.5f);
  CHECK((-a).at<float>({1, 1}) == -5.0f);
  CHECK(pow(a, 2).at<float>({1, 2}) == 36.0f);
  CHECK(pow(a, 0.5).at<float>({0, 0}) == 1.0f);
}

TEST_CASE("binary ops refuse incompatible shapes and dtypes with both shapes in the message", "[arithmetic]") {
  CHECK_THROWS_WITH(ones({2, 3}) + ones({4}), Catch::Contains("add") && Catch::Contains("[2, 3]") &&
                                                  Catch::Contains("[4]"));
  CHECK_THROWS_WITH(ones({2}) * ones({2}, DType::f64), Catch::Contains("mul: dtype mismatch"));
  CHECK_THROWS_AS(ones({2}, DType::i64) + ones({2}, DType::i64), ValueError);
}

TEST_CASE("add, sub, mul, div pass gradcheck with broadcasting", "[arithmetic][gradcheck]") {
  const std::vector<std::pair<const char*, Fn>> ops = {
      {"add", [](const std::vector<Tensor>& v) { return v[0] + v[1]; }},
      {"sub", [](const std::vector<Tensor>& v) { return v[0] - v[1]; }},
      {"mul", [](const std::vector<Tensor>& v) { return v[0] * v[1]; }},
      {"div", [](const std::vector<Tensor>& v) { return v[0] / v[1]; }},
  };
  Generator g(5);
  for (const auto& [name, fn] : ops)
    for (const auto& [sa, sb] : kShapePairs) {
      INFO(name << " " << shape_str(sa) << " " << shape_str(sb));
      CHECK(gradcheck(fn, {positive(sa, g), positive(sb, g)}));
    }
}

TEST_CASE("neg, pow and scalar operands pass gradcheck", "[arithmetic][gradcheck]") {
  Generator g(6);
  for (const Shape& s : {Shape{}, Shape{1}, Shape{3, 4}}) {
    const Tensor x = positive(s, g);
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return -v[0]; }, {x}));
    for (double p : {0.0, 1.0, 2.0, 3.0, -1.5, 0.5})
      CHECK(gradcheck([p](const std::vector<Tensor>& v) { return pow(v[0], p); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return 3.0 / v[0] - (v[0] * 2.0 + 1.0); }, {x}));
  }
}

TEST_CASE("only inputs that require grad receive gradients", "[arithmetic]") {
  Tensor a = ones({2}).requires_grad_();
  Tensor b = full({2}, 3.0);
  (a * b).backward(ones({2}));
  CHECK(a.grad().at<float>({0}) == 3.0f);
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("broadcast kernels are bit-identical for 1 and 2 threads", "[arithmetic][parallel]") {
  Generator g(9);
  const Tensor a = randn({300, 257}, g), b = randn({257}, g), c = randn({300, 1}, g);
  const int before = get_num_threads();
  set_num_threads(1);
  const Tensor one = a * b + c / (a + 3.0);
  set_num_threads(2);
  const Tensor two = a * b + c / (a + 3.0);
  set_num_threads(before);
  CHECK(allclose(one, two, 0, 0));
}
