#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/softmax.hpp"
#include "framework/ops/unary.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

// Naive softmax (or its log) of a 3-d float64 tensor along dim, straight from the definition
// exp(x_i) / sum_r exp(x_r) in long double (inputs are small, so no max is subtracted).
std::vector<double> naive_softmax(const Tensor& x, int dim, bool take_log) {
  const Shape& s = x.shape();
  std::vector<double> out;
  for (int64_t i = 0; i < s[0]; ++i)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t k = 0; k < s[2]; ++k) {
        std::array<int64_t, 3> at = {i, j, k};
        long double z = 0;
        for (int64_t r = 0; r < s[dim]; ++r) {
          at[dim] = r;
          z += std::exp(static_cast<long double>(x.at<double>({at[0], at[1], at[2]})));
        }
        const long double p = std::exp(static_cast<long double>(x.at<double>({i, j, k}))) / z;
        out.push_back(static_cast<double>(take_log ? std::log(p) : p));
      }
  return out;
}

void check_against_naive(const Tensor& x) {
  for (int dim = 0; dim < 3; ++dim)
    for (int64_t given : {int64_t{dim}, int64_t{dim - 3}}) {
      INFO(shape_str(x.shape()) << " dim " << given);
      const Tensor y = softmax(x, given), ly = log_softmax(x, given);
      const std::vector<double> ref = naive_softmax(x, dim, false), lref = naive_softmax(x, dim, true);
      REQUIRE(y.shape() == x.shape());
      for (int64_t i = 0; i < x.numel(); ++i) {
        CHECK(y.data<double>()[i] == Approx(ref[i]).epsilon(1e-13));
        CHECK(ly.data<double>()[i] == Approx(lref[i]).epsilon(1e-13));
      }
    }
}

}  // namespace

TEST_CASE("softmax and log_softmax match the definition along every dim", "[softmax]") {
  Generator g(31);
  check_against_naive(randn({2, 3, 7}, g, DType::f64));
  check_against_naive(randn({3, 1, 5}, g, DType::f64));
  check_against_naive(randn({3, 4, 150}, g, DType::f64));  // inner runs of 64, 64 and 22 lanes
}

TEST_CASE("softmax lanes sum to 1 and exp(log_softmax) equals softmax", "[softmax]") {
  Generator g(32);
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 1e-6 : 1e-14;
    const Tensor x = randn({3, 5, 7}, g, dt) * 4.0;
    for (int64_t dim : {0, 1, 2}) {
      INFO(dtype_name(dt) << " dim " << dim);
      const Tensor y = softmax(x, dim), back = exp(log_softmax(x, dim));
      const Tensor total = sum(y, {dim});
      for (int64_t i = 0; i < total.numel(); ++i) {
        const double t = dt == DType::f32 ? total.data<float>()[i] : total.data<double>()[i];
        CHECK(t == Approx(1.0).epsilon(tol));
      }
      CHECK(allclose(back, y, 1e-5, 0));
    }
  }
}

TEST_CASE("softmax is stable for large logits; log_softmax stays finite where softmax underflows", "[softmax]") {
  const Tensor big = from_vector(std::vector<float>{1000.f, 1001.f, 1002.f}, {3});
  const Tensor small = from_vector(std::vector<float>{0.f, 1.f, 2.f}, {3});
  CHECK(allclose(softmax(big, 0), softmax(small, 0), 1e-6, 0));
  const double z = 1 + std::exp(-1.0) + std::exp(-2.0);
  CHECK(softmax(big, -1).at<float>({2}) == Approx(1 / z).epsilon(1e-6));
  const Tensor far = from_vector(std::vector<double>{0, -1000}, {1, 2});
  CHECK(softmax(far, 1).at<double>({0, 1}) == 0.0);
  CHECK(log_softmax(far, 1).at<double>({0, 1}) == -1000.0);
  CHECK(log_softmax(far, 1).at<double>({0, 0}) == 0.0);
  const Tensor scalar = scalar_tensor(3.5, DType::f64);
  CHECK(softmax(scalar, 0).item() == 1.0);
  CHECK(log_softmax(scalar, -1).item() == 0.0);
}

TEST_CASE("softmax and log_softmax backward match hand-derived gradients", "[softmax]") {
  // With gy = e_0: d softmax_0 / dx_j = y_0 (delta_0j - y_j); d log_softmax_0 / dx_j = delta_0j - y_j.
  const std::vector<double> values = {0.3, -1.2, 2.0};
  for (bool use_log : {false, true}) {
    Tensor x = from_vector(values, {3}).requires_grad_();
    const Tensor y = softmax(x.detach(), 0);
    const Tensor out = use_log ? log_softmax(x, 0) : softmax(x, 0);
    out.backward(from_vector(std::vector<double>{1, 0, 0}, {3}));
    for (int64_t j = 0; j < 3; ++j) {
      const double expected = (j == 0 ? 1.0 : 0.0) - y.at<double>({j});
      CHECK(x.grad().at<double>({j}) == Approx(use_log ? expected : y.at<double>({0}) * expected).epsilon(1e-14));
    }
  }
}

TEST_CASE("softmax and log_softmax pass gradcheck along every dim, negative included", "[softmax][gradcheck]") {
  Generator g(33);
  for (const Shape& shape : std::vector<Shape>{{1}, {5}, {3, 5}, {2, 3, 7}, {1, 4, 1}, {2, 1, 3}}) {
    const Tensor x = randn(shape, g, DType::f64).requires_grad_();
    const auto nd = static_cast<int64_t>(shape.size());
    for (int64_t dim = -nd; dim < nd; ++dim) {
      INFO(shape_str(shape) << " dim " << dim);
      CHECK(gradcheck([dim](const std::vector<Tensor>& v) { return softmax(v[0], dim); }, {x}));
      CHECK(gradcheck([dim](const std::vector<Tensor>& v) { return log_softmax(v[0], dim); }, {x}));
    }
  }
  const Tensor wide = randn({2, 3, 70}, g, DType::f64).requires_grad_();
  CHECK(gradcheck([](const std::vector<Tensor>& v) { return softmax(v[0], 1); }, {wide}));
  CHECK(gradcheck([](const std::vector<Tensor>& v) { return log_softmax(v[0], -2); }, {wide}));
}

TEST_CASE("softmax errors name the op", "[softmax]") {
  const Tensor x = ones({2, 3});
  CHECK_THROWS_WITH(softmax(x, 2), Catch::Contains("softmax: dimension 2 out of range"));
  CHECK_THROWS_AS(log_softmax(x, -3), IndexError);
  CHECK_THROWS_WITH(log_softmax(x, -3), Catch::Contains("log_softmax"));
  const Tensor labels = from_vector(std::vector<int64_t>{1, 2}, {2});
  CHECK_THROWS_WITH(softmax(labels, 0), Catch::Contains("softmax: expected a floating tensor"));
  CHECK_THROWS_AS(log_softmax(labels, 0), ValueError);
}

TEST_CASE("softmax forward and backward are bit-identical for 1 and 2 threads", "[softmax][parallel]") {
  Generator g(34);
  const Tensor x = randn({40, 50, 130}, g);  // 260 000 elements, far above the grain
  const Tensor v = randn({40, 50, 130}, g);
  const int before = get_num_threads();
  for (int64_t dim : {0, 1, 2}) {
    std::vector<Tensor> results;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      for (bool use_log : {false, true}) {
        Tensor leaf = x.clone().requires_grad_();
        const Tensor y = use_log ? log_softmax(leaf, dim) : softmax(leaf, dim);
        sum(y * v).backward();
        results.push_back(y);
        results.push_back(leaf.grad());
      }
    }
    set_num_threads(before);
    INFO("dim " << dim);
    for (std::size_t i = 0; i < 4; ++i) CHECK(allclose(results[i], results[i + 4], 0, 0));
  }
}
