#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/dropout.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

TEST_CASE("dropout zeroes a fraction p and scales survivors by exactly 1 / (1 - p)", "[dropout]") {
  Generator g(61);
  const Tensor x = randn({400, 500}, g) + 10.0;  // no zeros in x
  for (double p : {0.1, 0.5, 0.8}) {
    INFO("p " << p);
    const Tensor y = dropout(x, p, true, g);
    const float scale = static_cast<float>(1 / (1 - p));
    int64_t zeros_seen = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float v = y.data<float>()[i];
      if (v == 0)
        ++zeros_seen;
      else
        REQUIRE(v == x.data<float>()[i] * scale);
    }
    CHECK(static_cast<double>(zeros_seen) / static_cast<double>(x.numel()) == Approx(p).margin(0.005));
  }
  const Tensor x64 = randn({1000}, g, DType::f64) + 10.0;
  const Tensor y64 = dropout(x64, 0.3, true, g);
  for (int64_t i = 0; i < 1000; ++i) {
    const double v = y64.data<double>()[i];
    CHECK((v == 0 || v == x64.data<double>()[i] * (1 / (1 - 0.3))));
  }
}

TEST_CASE("dropout with the same seed draws the same mask; the default generator follows manual_seed", "[dropout]") {
  const Tensor x = ones({1000});
  Generator a(7), b(7), c(8);
  const Tensor ya = dropout(x, 0.5, true, a);
  CHECK(allclose(ya, dropout(x, 0.5, true, b), 0, 0));
  CHECK_FALSE(allclose(ya, dropout(x, 0.5, true, c), 0, 0));
  CHECK_FALSE(allclose(ya, dropout(x, 0.5, true, a), 0, 0));  // the stream moved on
  manual_seed(3);
  const Tensor d1 = dropout(x, 0.4, true);
  manual_seed(3);
  CHECK(allclose(d1, dropout(x, 0.4, true), 0, 0));
}

TEST_CASE("dropout edge cases: eval and p = 0 return x itself, p = 1 gives zeros", "[dropout]") {
  Generator g(62);
  const Tensor x = randn({3, 4}, g).requires_grad_();
  CHECK(dropout(x, 0.5, false, g).impl() == x.impl());
  CHECK(dropout(x, 0.0, true, g).impl() == x.impl());
  CHECK(dropout(x, 1.0, false, g).impl() == x.impl());
  const Tensor y = dropout(x, 1.0, true, g);
  CHECK(allclose(y, zeros({3, 4}), 0, 0));
  sum(y).backward();
  CHECK(allclose(x.grad(), zeros({3, 4}), 0, 0));
}

TEST_CASE("dropout's gradient is the mask times the scale", "[dropout]") {
  Generator g(63);
  Tensor x = (randn({50, 40}, g, DType::f64) + 10.0).requires_grad_();
  const Tensor y = dropout(x, 0.25, true, g);
  sum(y).backward();
  for (int64_t i = 0; i < x.numel(); ++i)
    CHECK(x.grad().data<double>()[i] == (y.data<double>()[i] == 0 ? 0.0 : 1 / 0.75));
}

TEST_CASE("dropout passes gradcheck with a fixed mask", "[dropout][gradcheck]") {
  Generator g(64);
  const Tensor x = randn({3, 5, 7}, g, DType::f64).requires_grad_();
  for (double p : {0.2, 0.7}) {
    INFO("p " << p);
    CHECK(gradcheck(
        [p](const std::vector<Tensor>& v) {
          Generator fixed(65);
          return dropout(v[0], p, true, fixed);
        },
        {x}));
  }
}

TEST_CASE("dropout errors name the op", "[dropout]") {
  const Tensor x = ones({2, 3});
  CHECK_THROWS_WITH(dropout(x, 1.5, true),
                    Catch::Contains("dropout: probability must be in [0, 1], got 1.5") && Catch::Contains("[2, 3]"));
  CHECK_THROWS_AS(dropout(x, -0.1, false), ValueError);
  CHECK_THROWS_AS(dropout(x, std::nan(""), true), ValueError);
  CHECK_THROWS_WITH(dropout(zeros({2}, DType::i64), 0.5, true), Catch::Contains("dropout: expected a floating tensor"));
}

TEST_CASE("dropout forward and backward are bit-identical for 1 and 2 threads", "[dropout][parallel]") {
  const Tensor x = randn({300, 400});  // 120 000 elements, above the elementwise grain
  const int before = get_num_threads();
  const auto run = [&](int threads) {
    set_num_threads(threads);
    Generator g(66);
    Tensor leaf = x.clone().requires_grad_();
    const Tensor y = dropout(leaf, 0.3, true, g);
    sum(y * x).backward();
    return std::vector<Tensor>{y, leaf.grad()};
  };
  const std::vector<Tensor> one = run(1), two = run(2);
  set_num_threads(before);
  CHECK(allclose(one[0], two[0], 0, 0));
  CHECK(allclose(one[1], two[1], 0, 0));
}
