#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/op_helpers.hpp"
#include "framework/ops/reduction.hpp"

using namespace tapenet;

namespace {

// A deliberately wrong op: y = x^2 with the backward of y = x (gx += gy).
Tensor broken_square(const Tensor& x) {
  Tensor y = x.detach().clone();
  double* p = y.data<double>();
  for (int64_t i = 0; i < y.numel(); ++i) p[i] *= p[i];
  if (needs_grad(x))
    record("broken_square", y, [x](const Tensor& gy, const Tensor&) { ops_detail::accumulate_reduced(x, gy); });
  return y;
}

// Right gradient, but assigns instead of accumulating.
Tensor assigning_identity(const Tensor& x) {
  Tensor y = x.detach().clone();
  if (needs_grad(x))
    record("assigning_identity", y, [x](const Tensor& gy, const Tensor&) { grad_buffer(x).copy_(gy); });
  return y;
}

}  // namespace

TEST_CASE("gradcheck passes a correct composite function", "[gradcheck]") {
  Generator g(1);
  Tensor a = randn({3, 4}, g, DType::f64).requires_grad_();
  Tensor b = randn({4}, g, DType::f64).requires_grad_();
  CHECK(gradcheck([](const std::vector<Tensor>& x) { return x[0] * x[1] + x[0]; }, {a, b}));
  CHECK_FALSE(a.grad().defined());  // inputs are cloned, never touched
}

TEST_CASE("gradcheck catches a wrong gradient and names the input", "[gradcheck]") {
  Generator g(2);
  Tensor x = randn({5}, g, DType::f64).requires_grad_();
  CHECK_THROWS_WITH(gradcheck([](const std::vector<Tensor>& v) { return broken_square(v[0]); }, {x}),
                    Catch::Contains("gradient mismatch for input 0"));
}

TEST_CASE("gradcheck catches a backward that assigns instead of accumulating", "[gradcheck]") {
  Generator g(3);
  Tensor x = randn({4}, g, DType::f64).requires_grad_();
  // The first pass is right; the second backward must double the gradient and does not.
  CHECK_THROWS_WITH(gradcheck([](const std::vector<Tensor>& v) { return assigning_identity(v[0]) * 3.0; }, {x}),
                    Catch::Contains("does not accumulate"));
}

TEST_CASE("gradcheck refuses float32 inputs", "[gradcheck]") {
  Tensor x = ones({2}).requires_grad_();
  CHECK_THROWS_AS(gradcheck([](const std::vector<Tensor>& v) { return v[0] * 2.0; }, {x}), ValueError);
}
