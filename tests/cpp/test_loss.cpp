#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/loss.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

Tensor labels(const std::vector<int64_t>& values) { return from_vector(values, {static_cast<int64_t>(values.size())}); }

// PyTorch 1.13's cross_entropy written out by hand for float64 logits [N, C]:
// loss_i = (1 - eps) * -logp[i, t_i] + eps * mean_c(-logp[i, c]), 0 for ignored samples;
// `mean` divides the sum by the number of samples not ignored.
struct NaiveLoss {
  std::vector<double> per_sample;
  double sum = 0;
  double mean = 0;
};

NaiveLoss naive_cross_entropy(const Tensor& logits, const std::vector<int64_t>& target, double eps,
                              int64_t ignore_index) {
  const int64_t n = logits.size(0), c = logits.size(1);
  NaiveLoss out;
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (target[i] == ignore_index) {
      out.per_sample.push_back(0);
      continue;
    }
    double m = logits.at<double>({i, 0});
    for (int64_t k = 1; k < c; ++k) m = std::max(m, logits.at<double>({i, k}));
    double z = 0;
    for (int64_t k = 0; k < c; ++k) z += std::exp(logits.at<double>({i, k}) - m);
    double smooth = 0;
    for (int64_t k = 0; k < c; ++k) smooth -= (logits.at<double>({i, k}) - m - std::log(z)) / static_cast<double>(c);
    const double nll = -(logits.at<double>({i, target[i]}) - m - std::log(z));
    out.per_sample.push_back((1 - eps) * nll + eps * smooth);
    out.sum += out.per_sample.back();
    ++kept;
  }
  out.mean = out.sum / static_cast<double>(kept);
  return out;
}

}  // namespace

TEST_CASE("nll_loss picks -input[i, target_i] and reduces like PyTorch", "[loss]") {
  Generator g(41);
  const Tensor x = randn({3, 5}, g, DType::f64);
  const Tensor t = labels({1, 4, 0});
  const double l0 = -x.at<double>({0, 1}), l1 = -x.at<double>({1, 4}), l2 = -x.at<double>({2, 0});
  const Tensor none = nll_loss(x, t, Reduction::none);
  REQUIRE(none.shape() == Shape{3});
  CHECK(none.at<double>({0}) == l0);
  CHECK(none.at<double>({1}) == l1);
  CHECK(none.at<double>({2}) == l2);
  CHECK(nll_loss(x, t, Reduction::sum).dim() == 0);
  CHECK(nll_loss(x, t, Reduction::sum).item() == Approx(l0 + l1 + l2).epsilon(1e-15));
  CHECK(nll_loss(x, t).item() == Approx((l0 + l1 + l2) / 3).epsilon(1e-15));
}

TEST_CASE("nll_loss ignores ignore_index and averages over the samples kept", "[loss]") {
  Generator g(42);
  const Tensor x = randn({4, 3}, g, DType::f64);
  const Tensor t = labels({2, -100, 0, 2});
  const double kept = -x.at<double>({0, 2}) - x.at<double>({2, 0}) - x.at<double>({3, 2});
  CHECK(nll_loss(x, t).item() == Approx(kept / 3).epsilon(1e-15));
  CHECK(nll_loss(x, t, Reduction::none).at<double>({1}) == 0.0);
  // An ignore_index inside [0, C) ignores that class.
  const Tensor t2 = labels({2, 1, 0, 2});
  const double kept2 = -x.at<double>({1, 1}) - x.at<double>({2, 0});
  CHECK(nll_loss(x, t2, Reduction::sum, 2).item() == Approx(kept2).epsilon(1e-15));
  CHECK(nll_loss(x, t2, Reduction::mean, 2).item() == Approx(kept2 / 2).epsilon(1e-15));
  // Everything ignored: sum 0, mean 0/0 = NaN (as in PyTorch).
  const Tensor all = labels({-100, -100, -100, -100});
  CHECK(nll_loss(x, all, Reduction::sum).item() == 0.0);
  CHECK(std::isnan(nll_loss(x, all).item()));
  // Gradient: -1/kept at each kept target, 0 on ignored rows.
  Tensor leaf = x.clone().requires_grad_();
  nll_loss(leaf, t).backward();
  CHECK(leaf.grad().at<double>({0, 2}) == Approx(-1.0 / 3));
  CHECK(leaf.grad().at<double>({3, 2}) == Approx(-1.0 / 3));
  CHECK(leaf.grad().at<double>({0, 0}) == 0.0);
  for (int64_t k = 0; k < 3; ++k) CHECK(leaf.grad().at<double>({1, k}) == 0.0);
}

TEST_CASE("nll_loss reports bad labels, shapes and dtypes", "[loss]") {
  const Tensor x = zeros({3, 5});
  CHECK_THROWS_AS(nll_loss(x, labels({0, 5, 1})), IndexError);
  CHECK_THROWS_WITH(nll_loss(x, labels({0, 5, 1})), Catch::Contains("nll_loss: target 5") &&
                                                        Catch::Contains("out of bounds for 5 classes"));
  CHECK_THROWS_WITH(nll_loss(x, labels({0, 1, -1})), Catch::Contains("target -1"));
  CHECK_THROWS_WITH(nll_loss(x, labels({0, 1})), Catch::Contains("nll_loss") && Catch::Contains("[3, 5]") &&
                                                     Catch::Contains("got int64 [2]"));
  CHECK_THROWS_WITH(nll_loss(x, zeros({3})), Catch::Contains("got float32 [3]"));
  CHECK_THROWS_WITH(nll_loss(zeros({15}), labels({0, 1, 2})),
                    Catch::Contains("nll_loss: expected a floating input of shape [N, C], got float32 [15]"));
  CHECK_THROWS_AS(nll_loss(zeros({3, 5}, DType::i64), labels({0, 1, 2})), ValueError);
}

TEST_CASE("cross_entropy matches a hand-written PyTorch reference with label smoothing and ignore_index",
          "[loss]") {
  Generator g(43);
  const Tensor x = randn({7, 5}, g, DType::f64) * 2.0;
  const std::vector<int64_t> with_default = {3, -100, 0, 4, 4, -100, 1};
  const std::vector<int64_t> with_custom = {3, 2, 0, 4, 2, 1, 1};
  for (double eps : {0.0, 0.1, 0.35, 1.0})
    for (const auto& [target, ignore] : {std::pair{with_default, int64_t{-100}}, std::pair{with_custom, int64_t{2}}}) {
      INFO("eps " << eps << " ignore_index " << ignore);
      const NaiveLoss ref = naive_cross_entropy(x, target, eps, ignore);
      const Tensor t = labels(target);
      const Tensor none = cross_entropy(x, t, Reduction::none, eps, ignore);
      REQUIRE(none.shape() == Shape{7});
      for (int64_t i = 0; i < 7; ++i) CHECK(none.at<double>({i}) == Approx(ref.per_sample[i]).epsilon(1e-13));
      CHECK(cross_entropy(x, t, Reduction::sum, eps, ignore).item() == Approx(ref.sum).epsilon(1e-13));
      CHECK(cross_entropy(x, t, Reduction::mean, eps, ignore).item() == Approx(ref.mean).epsilon(1e-13));
    }
  // Defaults: mean, no smoothing, ignore_index -100; equal to nll_loss of log-probabilities.
  const NaiveLoss plain = naive_cross_entropy(x, with_default, 0.0, -100);
  CHECK(cross_entropy(x, labels(with_default)).item() == Approx(plain.mean).epsilon(1e-13));
}

TEST_CASE("cross_entropy in float32 and with one class", "[loss]") {
  Generator g(44);
  const Tensor x = randn({6, 4}, g, DType::f64);
  const std::vector<int64_t> target = {0, 3, 2, 1, 1, 0};
  const Tensor xf = from_vector(std::vector<float>(x.data<double>(), x.data<double>() + x.numel()), {6, 4});
  for (double eps : {0.0, 0.2}) {
    const Tensor loss = cross_entropy(xf, labels(target), Reduction::mean, eps);
    CHECK(loss.dtype() == DType::f32);
    CHECK(loss.item() == Approx(naive_cross_entropy(x, target, eps, -100).mean).epsilon(1e-5));
  }
  // One class: log-probability 0, loss 0 whatever the smoothing.
  CHECK(cross_entropy(ones({3, 1}, DType::f64), labels({0, 0, 0}), Reduction::sum, 0.5).item() == 0.0);
}

TEST_CASE("cross_entropy gradient is (softmax - smoothed one-hot) / kept", "[loss]") {
  Generator g(45);
  const Tensor x = randn({5, 4}, g, DType::f64);
  const std::vector<int64_t> target = {1, -100, 3, 0, 3};
  const double eps = 0.2, kept = 4;
  Tensor leaf = x.clone().requires_grad_();
  cross_entropy(leaf, labels(target), Reduction::mean, eps).backward();
  for (int64_t i = 0; i < 5; ++i) {
    double z = 0;
    for (int64_t k = 0; k < 4; ++k) z += std::exp(x.at<double>({i, k}));
    for (int64_t k = 0; k < 4; ++k) {
      INFO("sample " << i << " class " << k);
      const double p = std::exp(x.at<double>({i, k})) / z;
      const double expected =
          target[i] == -100 ? 0.0 : (p - (1 - eps) * (k == target[i] ? 1.0 : 0.0) - eps / 4) / kept;
      CHECK(leaf.grad().at<double>({i, k}) == Approx(expected).margin(1e-15).epsilon(1e-12));
    }
  }
}

TEST_CASE("nll_loss and cross_entropy pass gradcheck", "[loss][gradcheck]") {
  Generator g(46);
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{1, 1}, {0}}, {{1, 3}, {2}}, {{3, 5}, {4, 0, 2}}, {{6, 3}, {1, -100, 0, 2, -100, 2}}, {{4, 1}, {0, 0, -100, 0}}};
  for (const auto& [shape, target_values] : cases)
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
      INFO(shape_str(shape) << " reduction " << static_cast<int>(r));
      const Tensor x = randn(shape, g, DType::f64).requires_grad_();
      const Tensor t = labels(target_values);
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return nll_loss(v[0], t, r); }, {x}));
      for (double eps : {0.0, 0.15, 1.0})
        CHECK(gradcheck([&](const std::vector<Tensor>& v) { return cross_entropy(v[0], t, r, eps); }, {x}));
      if (shape[1] == 1) continue;  // ignoring class 0 would ignore every sample
      std::vector<int64_t> zero_ignored = target_values;  // class 0 now plays the ignored label
      std::replace(zero_ignored.begin(), zero_ignored.end(), int64_t{-100}, int64_t{0});
      const Tensor t0 = labels(zero_ignored);
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return cross_entropy(v[0], t0, r, 0.3, 0); }, {x}));
    }
}

TEST_CASE("cross_entropy rejects bad smoothing, shapes and labels naming the op", "[loss]") {
  const Tensor x = zeros({2, 3});
  const Tensor t = labels({0, 2});
  CHECK_THROWS_WITH(cross_entropy(x, t, Reduction::mean, -0.1), Catch::Contains("label_smoothing must be in [0, 1]"));
  CHECK_THROWS_AS(cross_entropy(x, t, Reduction::mean, 1.5), ValueError);
  CHECK_THROWS_AS(cross_entropy(x, t, Reduction::mean, std::nan("")), ValueError);
  CHECK_THROWS_WITH(cross_entropy(zeros({2, 3, 4}), t), Catch::Contains("cross_entropy") &&
                                                            Catch::Contains("[2, 3, 4]"));
  CHECK_THROWS_WITH(cross_entropy(x, labels({0, 1, 2})), Catch::Contains("cross_entropy") &&
                                                             Catch::Contains("[3]"));
  CHECK_THROWS_AS(cross_entropy(x, labels({0, 3})), IndexError);
  CHECK_THROWS_WITH(cross_entropy(x, labels({0, 3})), Catch::Contains("cross_entropy: target 3") &&
                                                          Catch::Contains("3 classes"));
}

TEST_CASE("mse_loss matches naive sums and passes gradcheck for both inputs", "[loss]") {
  Generator g(47);
  const Tensor a = randn({2, 3, 7}, g, DType::f64), b = randn({2, 3, 7}, g, DType::f64);
  double total = 0;
  const Tensor none = mse_loss(a, b, Reduction::none);
  REQUIRE(none.shape() == a.shape());
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = a.data<double>()[i] - b.data<double>()[i];
    CHECK(none.data<double>()[i] == Approx(d * d).epsilon(1e-15));
    total += d * d;
  }
  CHECK(mse_loss(a, b, Reduction::sum).item() == Approx(total).epsilon(1e-13));
  CHECK(mse_loss(a, b).item() == Approx(total / 42).epsilon(1e-13));
  for (const Shape& shape : std::vector<Shape>{{1}, {3, 5}, {2, 1, 3}})
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
      INFO(shape_str(shape) << " reduction " << static_cast<int>(r));
      const Tensor x = randn(shape, g, DType::f64).requires_grad_(), y = randn(shape, g, DType::f64).requires_grad_();
      CHECK(gradcheck([r](const std::vector<Tensor>& v) { return mse_loss(v[0], v[1], r); }, {x, y}));
    }
  Tensor leaf = from_vector(std::vector<double>{1, 4}, {2}).requires_grad_();
  mse_loss(leaf, from_vector(std::vector<double>{0, 1}, {2})).backward();  // d/dx = 2 (x - y) / n
  CHECK(leaf.grad().at<double>({0}) == 1.0);
  CHECK(leaf.grad().at<double>({1}) == 3.0);
}

TEST_CASE("mse_loss requires identical shapes and dtypes", "[loss]") {
  CHECK_THROWS_AS(mse_loss(zeros({3, 1}), zeros({3})), ValueError);
  CHECK_THROWS_WITH(mse_loss(zeros({3, 1}), zeros({1, 3})),
                    Catch::Contains("mse_loss: input [3, 1] and target [1, 3]"));
  CHECK_THROWS_WITH(mse_loss(zeros({2}), zeros({2}, DType::f64)), Catch::Contains("mse_loss: dtype mismatch"));
}

TEST_CASE("cross_entropy is bit-identical for 1 and 2 threads", "[loss][parallel]") {
  Generator g(48);
  const int64_t n = 6000, c = 10;
  const Tensor x = randn({n, c}, g);
  std::vector<int64_t> target_values(n);
  for (int64_t i = 0; i < n; ++i) target_values[i] = i % 17 == 0 ? -100 : (i * 7 + 3) % c;
  const Tensor t = labels(target_values);
  const int before = get_num_threads();
  std::vector<Tensor> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor leaf = x.clone().requires_grad_();
    const Tensor loss = cross_entropy(leaf, t, Reduction::none, 0.1);
    sum(loss).backward();
    results.push_back(loss);
    results.push_back(leaf.grad());
  }
  set_num_threads(before);
  CHECK(allclose(results[0], results[2], 0, 0));
  CHECK(allclose(results[1], results[3], 0, 0));
  CHECK(results[0].at<float>({0}) == 0.0f);
  CHECK(results[0].at<float>({1}) > 0.0f);
}
