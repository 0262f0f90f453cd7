#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

TEST_CASE("backward of a scalar accumulates into leaves over fan-out and across calls", "[tape]") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3}, {3}).requires_grad_();
  Tensor y = sum(x * x + x);  // dy/dx = 2x + 1
  y.backward();
  CHECK(x.grad().at<double>({0}) == 3);
  CHECK(x.grad().at<double>({2}) == 7);
  sum(x * 2.0).backward();
  CHECK(x.grad().at<double>({1}) == 5 + 2);
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("backward twice without retain_graph is an error; with it gradients add up", "[tape]") {
  Tensor x = from_vector(std::vector<double>{2}, {1}).requires_grad_();
  Tensor y = sum(x * x);
  y.backward(Tensor(), true);
  y.backward();
  CHECK(x.grad().at<double>({0}) == 8);
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("second time"));
}

TEST_CASE("a shared intermediate whose graph was freed cannot be reused silently", "[tape]") {
  Tensor x = from_vector(std::vector<double>{2}, {1}).requires_grad_();
  Tensor h = x * x;
  Tensor l1 = sum(h * 3.0), l2 = sum(h * 5.0);
  l1.backward();
  CHECK_THROWS_AS(l2.backward(), AutogradError);
}

TEST_CASE("non-scalar backward needs an explicit gradient", "[tape]") {
  Tensor x = ones({2, 2}, DType::f64).requires_grad_();
  Tensor y = x * 3.0;
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("[2, 2]"));
  y.backward(full({2, 2}, 2.0, DType::f64));
  CHECK(x.grad().at<double>({1, 1}) == 6);
  CHECK_THROWS_AS(ones({2}).backward(), AutogradError);
}

TEST_CASE("no-grad guard, detach and requires_grad propagation", "[tape]") {
  Tensor w = ones({2}).requires_grad_();
  Tensor c = ones({2});
  CHECK((w * c).requires_grad());
  CHECK_FALSE((c * c).requires_grad());
  CHECK_FALSE((w * c).is_leaf());
  CHECK_FALSE(w.detach().requires_grad());
  {
    NoGradGuard guard;
    CHECK_FALSE(grad_enabled());
    CHECK_FALSE((w * c).requires_grad());
  }
  CHECK(grad_enabled());
  CHECK_THROWS_AS((w * c).requires_grad_(false), AutogradError);
}

TEST_CASE("backward through a chain of 100000 ops needs no recursion", "[tape]") {
  Tensor x = from_vector(std::vector<double>{1}, {1}).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y + 1.0;
  sum(y).backward();
  CHECK(x.grad().at<double>({0}) == 1);
}

TEST_CASE("the tape frees nodes whose outputs died and nodes consumed by backward", "[tape]") {
  TapeScope scope;
  Tensor w = ones({4}).requires_grad_();
  for (int i = 0; i < 5000; ++i) {
    Tensor unused = w * 2.0;
  }
  CHECK(scope.tape()->size() < 2100);
  Tensor loss = sum(w * 3.0);
  loss.backward();
  CHECK(scope.tape()->size() == 0);
}

TEST_CASE("backward uses the tape that recorded the output", "[tape]") {
  Tensor x = from_vector(std::vector<double>{3}, {1}).requires_grad_();
  Tensor y;
  {
    TapeScope scope;
    y = sum(x * x);
  }
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("no longer exists"));
  auto tape = std::make_shared<Tape>();
  {
    TapeScope scope(tape);
    y = sum(x * x);
  }
  y.backward();
  CHECK(x.grad().at<double>({0}) == 6);
}
