#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/normalization.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

namespace {

// Naive batch norm of a float64 [N, C, S...] tensor from the definition, with statistics in long
// double: the batch's (biased variance) when `stats` is empty, else the given {mean, var} per channel.
std::vector<double> naive_batch_norm(const Tensor& x, const std::vector<std::vector<double>>& stats,
                                     const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t N = x.size(0), C = x.size(1), S = x.numel() / (N * C);
  const double* px = x.data<double>();
  std::vector<double> y(x.numel());
  for (int64_t c = 0; c < C; ++c) {
    long double m = 0, v = 0;
    if (stats.empty()) {
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) m += px[(n * C + c) * S + s];
      m /= N * S;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) v += (px[(n * C + c) * S + s] - m) * (px[(n * C + c) * S + s] - m);
      v /= N * S;
    } else {
      m = stats[0][c];
      v = stats[1][c];
    }
    const long double w = weight.defined() ? weight.data<double>()[c] : 1.0;
    const long double b = bias.defined() ? bias.data<double>()[c] : 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = (n * C + c) * S + s;
        y[i] = static_cast<double>((px[i] - m) / std::sqrt(v + eps) * w + b);
      }
  }
  return y;
}

std::vector<double> values(const Tensor& t) {
  return std::vector<double>(t.data<double>(), t.data<double>() + t.numel());
}

void check_close(const Tensor& y, const std::vector<double>& ref, double tol) {
  REQUIRE(y.numel() == static_cast<int64_t>(ref.size()));
  for (int64_t i = 0; i < y.numel(); ++i) CHECK(y.data<double>()[i] == Approx(ref[i]).margin(tol));
}

}  // namespace

TEST_CASE("batch_norm matches the definition for [N, C], [N, C, L] and [N, C, H, W]", "[batchnorm]") {
  Generator g(51);
  for (const Shape& shape : std::vector<Shape>{{5, 3}, {5, 3, 7}, {2, 1, 7, 9}, {5, 3, 9, 7}, {1, 3, 7, 7}}) {
    INFO(shape_str(shape));
    const Tensor x = randn(shape, g, DType::f64) * 3.0 + 2.0;
    const Tensor w = randn({shape[1]}, g, DType::f64), b = randn({shape[1]}, g, DType::f64);
    check_close(batch_norm(x, Tensor(), Tensor(), w, b, true), naive_batch_norm(x, {}, w, b, 1e-5), 1e-12);
    check_close(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-3),
                naive_batch_norm(x, {}, Tensor(), Tensor(), 1e-3), 1e-12);
    const Tensor rm = randn({shape[1]}, g, DType::f64), rv = rand({shape[1]}, g, DType::f64) + 0.5;
    check_close(batch_norm(x, rm, rv, w, b, false), naive_batch_norm(x, {values(rm), values(rv)}, w, b, 1e-5), 1e-12);
  }
}

TEST_CASE("batch_norm in float32 keeps statistics accurate for an offset input", "[batchnorm]") {
  Generator g(52);
  const Tensor x64 = randn({5, 3, 9, 7}, g, DType::f64) * 0.01 + 1000.0;
  std::vector<float> xf(x64.data<double>(), x64.data<double>() + x64.numel());
  const Tensor x32 = from_vector(xf, x64.shape());
  const Tensor exact = from_vector(std::vector<double>(xf.begin(), xf.end()), x64.shape());
  const Tensor y32 = batch_norm(x32, Tensor(), Tensor(), Tensor(), Tensor(), true);
  const std::vector<double> ref = naive_batch_norm(exact, {}, Tensor(), Tensor(), 1e-5);
  for (int64_t i = 0; i < y32.numel(); ++i) CHECK(y32.data<float>()[i] == Approx(ref[i]).margin(1e-5));
}

TEST_CASE("batch_norm updates running statistics with the unbiased batch variance", "[batchnorm]") {
  // Channel 0 holds {1, 2, 3, 4}: mean 2.5, biased variance 1.25, unbiased 5/3.
  // Channel 1 holds {0, 0, 2, 6}: mean 2, biased variance 6, unbiased 8.
  const Tensor x = from_vector(std::vector<double>{1, 0, 2, 0, 3, 2, 4, 6}, {4, 2});
  Tensor rm = from_vector(std::vector<double>{0, 1}, {2}), rv = ones({2}, DType::f64);
  const Tensor y = batch_norm(x, rm, rv, Tensor(), Tensor(), true, 0.1, 1e-5);
  CHECK(rm.at<double>({0}) == Approx(0.9 * 0 + 0.1 * 2.5).epsilon(1e-15));
  CHECK(rm.at<double>({1}) == Approx(0.9 * 1 + 0.1 * 2).epsilon(1e-15));
  CHECK(rv.at<double>({0}) == Approx(0.9 * 1 + 0.1 * 5.0 / 3.0).epsilon(1e-15));
  CHECK(rv.at<double>({1}) == Approx(0.9 * 1 + 0.1 * 8).epsilon(1e-15));
  // The output uses the biased variance.
  CHECK(y.at<double>({0, 0}) == Approx((1 - 2.5) / std::sqrt(1.25 + 1e-5)).epsilon(1e-14));
  CHECK(y.at<double>({3, 1}) == Approx((6 - 2) / std::sqrt(6 + 1e-5)).epsilon(1e-14));
  CHECK_FALSE(rm.requires_grad());
  // momentum 1 replaces the running statistics; float32 buffers follow the same rule.
  Tensor rm32 = zeros({2}), rv32 = ones({2});
  const Tensor x32 = from_vector(std::vector<float>{1, 0, 2, 0, 3, 2, 4, 6}, {4, 2});
  batch_norm(x32, rm32, rv32, Tensor(), Tensor(), true, 1.0);
  CHECK(rm32.at<float>({1}) == 2.0f);
  CHECK(rv32.at<float>({0}) == Approx(5.0 / 3.0).epsilon(1e-7));
  CHECK(rv32.at<float>({1}) == 8.0f);
  // Eval mode leaves them alone.
  batch_norm(x, rm, rv, Tensor(), Tensor(), false);
  CHECK(rm.at<double>({0}) == Approx(0.25).epsilon(1e-15));
}

TEST_CASE("batch_norm records only through the op, not the running-stat update", "[batchnorm]") {
  TapeScope scope;
  Generator g(53);
  Tensor x = randn({4, 3, 5}, g, DType::f64).requires_grad_();
  Tensor rm = zeros({3}, DType::f64), rv = ones({3}, DType::f64);
  const Tensor y = batch_norm(x, rm, rv, Tensor(), Tensor(), true);
  CHECK(scope.tape()->size() == 1);
  CHECK_FALSE(rm.requires_grad());
  // Without affine parameters every channel of the gradient sums to zero.
  sum(y * randn({4, 3, 5}, g, DType::f64)).backward();
  const Tensor per_channel = sum(x.grad(), {0, 2});
  for (int64_t c = 0; c < 3; ++c) CHECK(per_channel.at<double>({c}) == Approx(0).margin(1e-12));
}

TEST_CASE("batch_norm passes gradcheck in input, weight and bias, training and eval", "[batchnorm][gradcheck]") {
  Generator g(54);
  for (const Shape& shape : std::vector<Shape>{{5, 3}, {3, 2, 7}, {2, 3, 5, 3}, {1, 2, 3, 3}}) {
    const Tensor x = (randn(shape, g, DType::f64) * 2.0 + 1.0).requires_grad_();
    const Tensor w = randn({shape[1]}, g, DType::f64).requires_grad_();
    const Tensor b = randn({shape[1]}, g, DType::f64).requires_grad_();
    const Tensor rm = randn({shape[1]}, g, DType::f64), rv = rand({shape[1]}, g, DType::f64) + 0.5;
    for (bool training : {true, false}) {
      INFO(shape_str(shape) << " training " << training);
      CHECK(gradcheck(
          [&](const std::vector<Tensor>& v) { return batch_norm(v[0], rm.clone(), rv.clone(), v[1], v[2], training); },
          {x, w, b}));
      CHECK(gradcheck(
          [&](const std::vector<Tensor>& v) {
            return batch_norm(v[0], rm.clone(), rv.clone(), Tensor(), Tensor(), training, 0.1, 1e-3);
          },
          {x}));
      // Only the affine parameters require grad.
      CHECK(gradcheck(
          [&](const std::vector<Tensor>& v) { return batch_norm(v[0], rm.clone(), rv.clone(), v[1], v[2], training); },
          {x.detach(), w, b}));
    }
  }
}

TEST_CASE("batch_norm errors name the op and the shapes", "[batchnorm]") {
  const Tensor x = zeros({4, 3, 5});
  CHECK_THROWS_WITH(batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                    Catch::Contains("batch_norm: expected more than 1 value per channel when training, got input "
                                    "[1, 3]"));
  CHECK_THROWS_AS(batch_norm(zeros({1, 3, 1, 1}), zeros({3}), ones({3}), Tensor(), Tensor(), true), ValueError);
  CHECK_NOTHROW(batch_norm(zeros({1, 3}), zeros({3}), ones({3}), Tensor(), Tensor(), false));
  CHECK_THROWS_WITH(batch_norm(zeros({5}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                    Catch::Contains("batch_norm: expected a floating input [N, C, *], got float32 [5]"));
  CHECK_THROWS_WITH(batch_norm(x, Tensor(), Tensor(), ones({4}), Tensor(), true),
                    Catch::Contains("batch_norm: expected weight of shape [3] and dtype float32 for input [4, 3, 5], "
                                    "got float32 [4]"));
  CHECK_THROWS_WITH(batch_norm(x, Tensor(), Tensor(), Tensor(), ones({3}, DType::f64), true),
                    Catch::Contains("expected bias of shape [3] and dtype float32"));
  CHECK_THROWS_WITH(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false),
                    Catch::Contains("batch_norm: running_mean and running_var must be"));
  CHECK_THROWS_AS(batch_norm(x, zeros({3}), Tensor(), Tensor(), Tensor(), true), ValueError);
  CHECK_THROWS_WITH(batch_norm(x, zeros({2}), ones({3}), Tensor(), Tensor(), false),
                    Catch::Contains("expected running_mean of shape [3]"));
  CHECK_THROWS_WITH(batch_norm(zeros({4, 3}, DType::i64), Tensor(), Tensor(), Tensor(), Tensor(), true),
                    Catch::Contains("batch_norm: expected a floating input"));
}

TEST_CASE("batch_norm forward and backward are bit-identical for 1 and 2 threads", "[batchnorm][parallel]") {
  Generator g(55);
  const Tensor x = randn({16, 8, 31, 33}, g);  // 130 944 elements, 16 368 per channel
  const Tensor w = randn({8}, g), b = randn({8}, g), v = randn({16, 8, 31, 33}, g);
  const int before = get_num_threads();
  const auto run = [&](int threads) {
    set_num_threads(threads);
    std::vector<Tensor> results;
    for (bool training : {true, false}) {
      Tensor leaf = x.clone().requires_grad_(), lw = w.clone().requires_grad_(), lb = b.clone().requires_grad_();
      Tensor rm = zeros({8}), rv = ones({8});
      const Tensor y = batch_norm(leaf, rm, rv, lw, lb, training);
      sum(y * v).backward();
      results.insert(results.end(), {y, leaf.grad(), lw.grad(), lb.grad(), rm, rv});
    }
    return results;
  };
  const std::vector<Tensor> one = run(1), two = run(2);
  set_num_threads(before);
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO("result " << i);
    CHECK(allclose(one[i], two[i], 0, 0));
  }
}
