// Gradient clipping: norms (2, 1, p, inf), the clip coefficient, skipped parameters, errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "framework/factories.hpp"
#include "optim/clip_grad.hpp"

using namespace tapenet;
using namespace tapenet::optim;

namespace {

Tensor with_grad(std::vector<double> grad) {
  const auto n = static_cast<int64_t>(grad.size());
  Tensor p = zeros({n}, DType::f64);
  p.requires_grad_();
  p.set_grad(from_vector(grad, {n}));
  return p;
}

}  // namespace

TEST_CASE("clip_grad_norm_ returns the total norm and scales by max_norm / (total + 1e-6)", "[optim]") {
  Tensor a = with_grad({3.0, 0.0}), b = with_grad({-4.0}), none = zeros({2}, DType::f64);
  none.requires_grad_();
  SECTION("2-norm over all gradients; parameters without a gradient are skipped") {
    CHECK(clip_grad_norm_({a, none, b}, 1.0) == Approx(5.0).epsilon(1e-15));
    const double c = 1.0 / (5.0 + 1e-6);
    CHECK(a.grad().data<double>()[0] == Approx(3 * c).epsilon(1e-15));
    CHECK(b.grad().data<double>()[0] == Approx(-4 * c).epsilon(1e-15));
    CHECK_FALSE(none.grad().defined());
  }
  SECTION("a norm below max_norm leaves the gradients alone") {
    CHECK(clip_grad_norm_({a, b}, 10.0) == Approx(5.0));
    CHECK(a.grad().data<double>()[0] == 3.0);
  }
  SECTION("1-norm, 3-norm and inf-norm") {
    CHECK(clip_grad_norm_({a, b}, 100.0, 1.0) == Approx(7.0));
    CHECK(clip_grad_norm_({a, b}, 100.0, 3.0) == Approx(std::cbrt(27.0 + 64.0)));
    CHECK(clip_grad_norm_({a, b}, 2.0, std::numeric_limits<double>::infinity()) == 4.0);
    CHECK(b.grad().data<double>()[0] == Approx(-4 * 2.0 / (4.0 + 1e-6)));
  }
  SECTION("no gradients: 0") { CHECK(clip_grad_norm_({none}, 1.0) == 0.0); }
  SECTION("errors") {
    CHECK_THROWS_AS(clip_grad_norm_({a}, 1.0, 0.0), ValueError);
    CHECK_THROWS_AS(clip_grad_value_({a}, -1.0), ValueError);
  }
}

TEST_CASE("clip_grad_norm_ over many elements matches the serial sum", "[optim]") {
  const int64_t n = 200001;
  Tensor p = zeros({n}, DType::f64);
  p.requires_grad_();
  p.set_grad(full({n}, 0.5, DType::f64));
  CHECK(clip_grad_norm_({p}, 1e9) == Approx(0.5 * std::sqrt(static_cast<double>(n))).epsilon(1e-12));
}

TEST_CASE("clip_grad_value_ clamps every element", "[optim]") {
  Tensor a = with_grad({3.0, -0.5, -7.0});
  clip_grad_value_({a}, 1.0);
  CHECK(a.grad().data<double>()[0] == 1.0);
  CHECK(a.grad().data<double>()[1] == -0.5);
  CHECK(a.grad().data<double>()[2] == -1.0);
}
