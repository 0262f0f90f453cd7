#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

// Naive reference: sum of x [A, B, C] over the dims flagged in `r`, keepdim shape.
std::vector<double> naive_sum(const Tensor& x, std::array<bool, 3> r) {
  const auto& s = x.shape();
  const int64_t A = r[0] ? 1 : s[0], B = r[1] ? 1 : s[1], C = r[2] ? 1 : s[2];
  std::vector<double> out(A * B * C, 0.0);
  for (int64_t i = 0; i < s[0]; ++i)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t k = 0; k < s[2]; ++k)
        out[((r[0] ? 0 : i) * B + (r[1] ? 0 : j)) * C + (r[2] ? 0 : k)] += x.at<double>({i, j, k});
  return out;
}

}  // namespace

TEST_CASE("sum over every subset of dims matches a naive loop", "[reduction]") {
  Generator g(1);
  const Tensor x = randn({3, 5, 7}, g, DType::f64);
  for (int mask = 0; mask < 8; ++mask) {
    std::array<bool, 3> r = {bool(mask & 1), bool(mask & 2), bool(mask & 4)};
    std::vector<int64_t> dims;
    for (int d = 0; d < 3; ++d)
      if (r[d]) dims.push_back(d - 3 * (d % 2));  // mix positive and negative dims
    if (dims.empty()) continue;
    const Tensor y = sum(x, dims, true);
    const std::vector<double> ref = naive_sum(x, r);
    REQUIRE(y.numel() == static_cast<int64_t>(ref.size()));
    for (std::size_t i = 0; i < ref.size(); ++i) CHECK(y.data<double>()[i] == Approx(ref[i]).epsilon(1e-12));
    CHECK(sum(x, dims, false).dim() == 3 - static_cast<int64_t>(dims.size()));
  }
  CHECK(sum(x).dim() == 0);
  CHECK(sum(x).item() == Approx(sum(sum(x, {0}), {0, 1}).item()));
}

TEST_CASE("mean and max over dims", "[reduction]") {
  const Tensor x = from_vector(std::vector<float>{1, 5, 3, -2, 8, 0}, {2, 3});
  CHECK(mean(x).item() == Approx(15.0 / 6));
  CHECK(mean(x, {1}).at<float>({1}) == Approx(2.0));
  CHECK(mean(x, {0}, true).shape() == Shape{1, 3});
  CHECK(max(x).item() == 8.0);
  CHECK(max(x, {0}).at<float>({0}) == 1.0f);
  CHECK(max(x, {-1}, true).at<float>({0, 0}) == 5.0f);
  CHECK(argmax(x, 1).at<int64_t>({1}) == 1);
  CHECK(argmax(x, 0).at<int64_t>({2}) == 0);
  CHECK(argmax(x, -1, true).shape() == Shape{2, 1});
  const Tensor n = from_vector(std::vector<float>{1, std::numeric_limits<float>::quiet_NaN(), 3}, {3});
  CHECK(std::isnan(max(n).item()));
}

TEST_CASE("reduction errors name the op and the dim", "[reduction]") {
  const Tensor x = ones({2, 3});
  CHECK_THROWS_WITH(sum(x, {2}), Catch::Contains("sum: dimension 2 out of range"));
  CHECK_THROWS_AS(mean(x, {-3}), IndexError);
  CHECK_THROWS_WITH(sum(x, {1, -1}), Catch::Contains("appears multiple times"));
  CHECK_THROWS_WITH(max(zeros({0, 3})), Catch::Contains("empty"));
}

TEST_CASE("sum, mean and max pass gradcheck", "[reduction][gradcheck]") {
  Generator g(2);
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{5}, {}}, {{3, 4}, {0}}, {{3, 4}, {-1}}, {{2, 3, 5}, {0, 2}}, {{2, 1, 5}, {1}}, {{4, 3, 2}, {1}}, {{1}, {0}}};
  for (const auto& [shape, dims] : cases)
    for (bool keep : {false, true}) {
      INFO(shape_str(shape) << " dims " << dims.size() << " keep " << keep);
      const Tensor x = randn(shape, g, DType::f64).requires_grad_();
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return sum(v[0], dims, keep); }, {x}));
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return mean(v[0], dims, keep); }, {x}));
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return max(v[0], dims, keep); }, {x}));
    }
}

TEST_CASE("max sends the gradient to the first maximum only", "[reduction]") {
  Tensor x = from_vector(std::vector<double>{2, 7, 7, 1}, {4}).requires_grad_();
  max(x).backward();
  CHECK(x.grad().at<double>({1}) == 1.0);
  CHECK(x.grad().at<double>({2}) == 0.0);
}

TEST_CASE("large reductions are bit-identical for 1 and 2 threads", "[reduction][parallel]") {
  Generator g(3);
  const Tensor x = randn({1 << 20}, g), m = randn({513, 700}, g);
  const int before = get_num_threads();
  set_num_threads(1);
  const Tensor s1 = sum(x), r1 = sum(m, {0}), c1 = sum(m, {1}), x1 = max(m, {0});
  set_num_threads(2);
  const Tensor s2 = sum(x), r2 = sum(m, {0}), c2 = sum(m, {1}), x2 = max(m, {0});
  set_num_threads(before);
  CHECK(s1.item() == s2.item());
  CHECK(allclose(r1, r2, 0, 0));
  CHECK(allclose(c1, c2, 0, 0));
  CHECK(allclose(x1, x2, 0, 0));
  CHECK(s1.item() == Approx(sum(x.clone()).item()));
}
