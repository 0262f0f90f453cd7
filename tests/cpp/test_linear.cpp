#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/linear.hpp"
#include "framework/ops/matmul.hpp"
#include "framework/ops/shape_ops.hpp"
#include "layers/linear.hpp"

using namespace tapenet;

TEST_CASE("linear equals x @ W^T + b", "[linear]") {
  Generator g(1);
  const Tensor x = randn({5, 3}, g), w = randn({4, 3}, g), b = randn({4}, g);
  CHECK(allclose(linear(x, w, b), matmul(x, t(w)) + b, 1e-6, 1e-6));
  CHECK(allclose(linear(x, w), matmul(x, t(w)), 1e-6, 1e-6));
  const Tensor x3 = randn({2, 5, 3}, g);
  CHECK(linear(x3, w, b).shape() == Shape{2, 5, 4});
  CHECK(allclose(linear(x3, w, b), matmul(x3, t(w)) + b, 1e-6, 1e-6));
}

TEST_CASE("linear passes gradcheck with and without bias and with extra leading dims", "[linear][gradcheck]") {
  Generator g(2);
  for (const Shape& xs : {Shape{1, 3}, Shape{5, 3}, Shape{2, 4, 3}, Shape{3}}) {
    INFO(shape_str(xs));
    const Tensor x = randn(xs, g, DType::f64).requires_grad_();
    const Tensor w = randn({2, 3}, g, DType::f64).requires_grad_();
    const Tensor b = randn({2}, g, DType::f64).requires_grad_();
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); }, {x, w, b}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return linear(v[0], v[1]); }, {x, w}));
  }
}

TEST_CASE("linear refuses mismatched shapes naming them", "[linear]") {
  CHECK_THROWS_WITH(linear(ones({2, 3}), ones({4, 5})), Catch::Contains("linear") && Catch::Contains("[2, 3]") &&
                                                             Catch::Contains("[4, 5]"));
  CHECK_THROWS_WITH(linear(ones({2, 3}), ones({4, 3}), ones({3})), Catch::Contains("bias must be [out]"));
  CHECK_THROWS_AS(linear(ones({2, 3}), ones({4, 3}, DType::f64)), ValueError);
}

TEST_CASE("Linear layer: PyTorch layout, default init bounds, names, repr", "[linear][layers]") {
  manual_seed(0);
  nn::Linear fc(nn::LinearOptions(100, 7));
  CHECK(fc.weight.shape() == Shape{7, 100});
  CHECK(fc.bias.shape() == Shape{7});
  const float bound = 0.1f;  // 1 / sqrt(100)
  float lo = 1, hi = -1;
  for (int64_t i = 0; i < fc.weight.numel(); ++i) {
    lo = std::min(lo, fc.weight.data<float>()[i]);
    hi = std::max(hi, fc.weight.data<float>()[i]);
  }
  CHECK(lo >= -bound);
  CHECK(hi <= bound);
  CHECK(hi - lo > 1.8f * bound);  // spans the range
  CHECK(fc.named_parameters()[0].first == "weight");
  CHECK(fc.num_parameters() == 707);
  CHECK(fc.repr() == "Linear(in_features=100, out_features=7, bias=True)");
  nn::Linear nobias(nn::LinearOptions(3, 2).bias(false));
  CHECK(nobias.named_parameters().size() == 1);
  CHECK_FALSE(nobias.bias.defined());
  CHECK(nobias(ones({4, 3})).shape() == Shape{4, 2});
  CHECK_THROWS_AS(nn::Linear(0, 3), ValueError);
}
