#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "framework/factories.hpp"
#include "framework/kernels/pooling.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/pooling.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

using Pair = std::array<int64_t, 2>;

struct PoolCase {
  Pair kernel, stride, padding;
  bool ceil_mode;
};

// Number of windows along one dimension, by enumeration: window o starts at o * stride - pad.
// Floor mode keeps the windows that end inside the padded input; ceil mode also keeps the first
// partial window when the whole windows leave padded positions uncovered and it starts inside the
// input or the left padding.
int64_t count_windows(int64_t in, int64_t k, int64_t s, int64_t p, bool ceil_mode) {
  int64_t n = 0;
  for (int64_t start = -p; start < in + p; start += s) {
    const bool whole = start + k <= in + p;
    if (whole || (ceil_mode && start < in && start - s + k < in + p)) ++n;
    if (!whole) break;
  }
  return n;
}

// Naive 2-D pooling of a float64 [N, C, H, W] tensor: max (padding never wins) or average with
// PyTorch's divisor, straight from the window definition.
std::vector<double> naive_pool(const Tensor& x, const PoolCase& pc, bool is_max, bool count_include_pad, Shape& out) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = count_windows(H, pc.kernel[0], pc.stride[0], pc.padding[0], pc.ceil_mode);
  const int64_t OW = count_windows(W, pc.kernel[1], pc.stride[1], pc.padding[1], pc.ceil_mode);
  out = {N, C, OH, OW};
  std::vector<double> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double best = -std::numeric_limits<double>::infinity(), total = 0;
          int64_t inside = 0, padded = 0;
          for (int64_t i = 0; i < pc.kernel[0]; ++i)
            for (int64_t j = 0; j < pc.kernel[1]; ++j) {
              const int64_t h = oh * pc.stride[0] - pc.padding[0] + i, w = ow * pc.stride[1] - pc.padding[1] + j;
              if (h < H + pc.padding[0] && w < W + pc.padding[1]) ++padded;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              const double v = x.at<double>({n, c, h, w});
              best = std::max(best, v);
              total += v;
              ++inside;
            }
          y.push_back(is_max ? best : total / static_cast<double>(count_include_pad ? padded : inside));
        }
  return y;
}

const std::vector<PoolCase>& pool_cases() {
  static const std::vector<PoolCase> cases = {
      {{2, 2}, {2, 2}, {0, 0}, false}, {{3, 3}, {2, 2}, {1, 1}, false}, {{3, 3}, {2, 2}, {1, 1}, true},
      {{2, 2}, {2, 2}, {1, 1}, true},  {{3, 2}, {2, 1}, {1, 0}, false}, {{2, 3}, {2, 2}, {0, 1}, true},
      {{4, 4}, {3, 3}, {2, 1}, true},  {{1, 1}, {2, 2}, {0, 0}, false}, {{3, 3}, {1, 1}, {0, 0}, false},
  };
  return cases;
}

std::vector<double> values(const Tensor& t) {
  return std::vector<double>(t.data<double>(), t.data<double>() + t.numel());
}

Tensor gradcheck_input(const Shape& shape, uint64_t seed) {
  Generator g(seed);
  return randn(shape, g, DType::f64).requires_grad_();
}

}  // namespace

TEST_CASE("pooled sizes follow PyTorch's rule, including ceil_mode's last-window rule", "[pooling]") {
  const Tensor x5 = zeros({1, 1, 5, 5}), x6 = zeros({1, 1, 6, 7});
  // F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True) is 3 x 3: a 4th window would
  // start in the right padding.
  CHECK(max_pool2d(x5, {2, 2}, {2, 2}, {1, 1}, true).shape() == Shape{1, 1, 3, 3});
  CHECK(max_pool2d(x5, {2, 2}, {2, 2}, {1, 1}, false).shape() == Shape{1, 1, 3, 3});
  CHECK(max_pool2d(x5, {2, 2}).shape() == Shape{1, 1, 2, 2});
  CHECK(max_pool2d(x5, {2, 2}, {0, 0}, {0, 0}, true).shape() == Shape{1, 1, 3, 3});
  CHECK(avg_pool2d(x6, {3, 3}, {2, 2}, {0, 0}, true).shape() == Shape{1, 1, 3, 3});
  CHECK(avg_pool2d(x6, {3, 3}, {2, 2}, {0, 0}, false).shape() == Shape{1, 1, 2, 3});
  CHECK(avg_pool2d(x6, {2, 3}, {1, 2}, {1, 1}).shape() == Shape{1, 1, 7, 4});
  for (const PoolCase& pc : pool_cases())
    for (int64_t in : {5, 6, 7, 9}) {
      INFO("in " << in << " kernel " << pc.kernel[0] << " stride " << pc.stride[0] << " pad " << pc.padding[0]
                 << " ceil " << pc.ceil_mode);
      const Tensor y = max_pool2d(zeros({1, 1, in, in}), pc.kernel, pc.stride, pc.padding, pc.ceil_mode);
      CHECK(y.size(2) == count_windows(in, pc.kernel[0], pc.stride[0], pc.padding[0], pc.ceil_mode));
      CHECK(y.size(3) == count_windows(in, pc.kernel[1], pc.stride[1], pc.padding[1], pc.ceil_mode));
    }
}

TEST_CASE("max_pool2d and avg_pool2d match naive loops at odd sizes", "[pooling]") {
  Generator g(41);
  for (const Shape& shape : std::vector<Shape>{{1, 1, 7, 7}, {5, 3, 9, 7}, {2, 3, 7, 9}}) {
    const Tensor x = randn(shape, g, DType::f64);
    for (const PoolCase& pc : pool_cases()) {
      INFO(shape_str(shape) << " kernel " << shape_str({pc.kernel[0], pc.kernel[1]}) << " stride "
                            << shape_str({pc.stride[0], pc.stride[1]}) << " padding "
                            << shape_str({pc.padding[0], pc.padding[1]}) << " ceil " << pc.ceil_mode);
      Shape out;
      const std::vector<double> ref_max = naive_pool(x, pc, true, false, out);
      const Tensor ymax = max_pool2d(x, pc.kernel, pc.stride, pc.padding, pc.ceil_mode);
      REQUIRE(ymax.shape() == out);
      CHECK(values(ymax) == ref_max);
      for (bool include_pad : {true, false}) {
        INFO("count_include_pad " << include_pad);
        const std::vector<double> ref_avg = naive_pool(x, pc, false, include_pad, out);
        const Tensor yavg = avg_pool2d(x, pc.kernel, pc.stride, pc.padding, pc.ceil_mode, include_pad);
        REQUIRE(yavg.shape() == out);
        const std::vector<double> got = values(yavg);
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(ref_avg[i]).epsilon(1e-13));
      }
    }
  }
}

TEST_CASE("pooling in float32 agrees with float64", "[pooling]") {
  Generator g(42);
  const Tensor x = randn({2, 3, 9, 7}, g, DType::f64);
  const Tensor xf = from_vector(std::vector<float>(x.data<double>(), x.data<double>() + x.numel()), x.shape());
  const auto close = [](const Tensor& f32, const Tensor& f64) {
    for (int64_t i = 0; i < f64.numel(); ++i) CHECK(f32.data<float>()[i] == Approx(f64.data<double>()[i]).margin(1e-6));
  };
  close(max_pool2d(xf, {3, 2}, {2, 2}, {1, 1}, true), max_pool2d(x, {3, 2}, {2, 2}, {1, 1}, true));
  close(avg_pool2d(xf, {3, 3}, {2, 2}, {1, 1}, true, false), avg_pool2d(x, {3, 3}, {2, 2}, {1, 1}, true, false));
  close(adaptive_avg_pool2d(xf, {4, 3}), adaptive_avg_pool2d(x, {4, 3}));
  close(channel_max_pool(xf, 3), channel_max_pool(x, 3));
}

TEST_CASE("max_pool2d propagates NaN and never picks padding", "[pooling]") {
  Tensor x = full({1, 1, 3, 3}, -5.0, DType::f64);
  x.at<double>({0, 0, 1, 1}) = std::nan("");
  const Tensor y = max_pool2d(x, {2, 2}, {1, 1});
  for (int64_t i = 0; i < 4; ++i) CHECK(std::isnan(y.data<double>()[i]));
  const Tensor neg = full({1, 1, 2, 2}, -7.0, DType::f64);
  CHECK(values(max_pool2d(neg, {3, 3}, {1, 1}, {1, 1})) == std::vector<double>(4, -7.0));
}

TEST_CASE("adaptive_avg_pool2d averages PyTorch's overlapping bins", "[pooling]") {
  Generator g(43);
  const Tensor x = randn({5, 3, 7, 9}, g, DType::f64);
  for (const Pair& out : std::vector<Pair>{{1, 1}, {3, 4}, {7, 9}, {2, 5}, {9, 11}}) {
    INFO("output_size " << out[0] << " x " << out[1]);
    const Tensor y = adaptive_avg_pool2d(x, out);
    REQUIRE(y.shape() == Shape{5, 3, out[0], out[1]});
    for (int64_t n = 0; n < 5; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < out[0]; ++i)
          for (int64_t j = 0; j < out[1]; ++j) {
            const auto h0 = static_cast<int64_t>(std::floor(double(i) * 7 / double(out[0])));
            const auto h1 = static_cast<int64_t>(std::ceil(double(i + 1) * 7 / double(out[0])));
            const auto w0 = static_cast<int64_t>(std::floor(double(j) * 9 / double(out[1])));
            const auto w1 = static_cast<int64_t>(std::ceil(double(j + 1) * 9 / double(out[1])));
            double s = 0;
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) s += x.at<double>({n, c, h, w});
            CHECK(y.at<double>({n, c, i, j}) == Approx(s / double((h1 - h0) * (w1 - w0))).epsilon(1e-13));
          }
  }
  // Global average pooling is the mean over H and W.
  CHECK(allclose(adaptive_avg_pool2d(x, {1, 1}), mean(x, {2, 3}, true), 1e-13, 1e-15));
}

TEST_CASE("channel_max_pool takes the max over consecutive groups of channels", "[pooling]") {
  Generator g(44);
  for (const Shape& shape : std::vector<Shape>{{5, 6}, {1, 3, 7, 7}, {5, 6, 9, 7}, {2, 4, 5}}) {
    const Tensor x = randn(shape, g, DType::f64);
    for (int64_t k : {1, 2, 3}) {
      if (shape[1] % k != 0) continue;
      INFO(shape_str(shape) << " k " << k);
      const Tensor y = channel_max_pool(x, k);
      Shape expected = shape;
      expected[1] /= k;
      REQUIRE(y.shape() == expected);
      const int64_t S = x.numel() / (shape[0] * shape[1]);
      const double* px = x.data<double>();
      for (int64_t n = 0; n < shape[0]; ++n)
        for (int64_t gr = 0; gr < shape[1] / k; ++gr)
          for (int64_t s = 0; s < S; ++s) {
            double best = -std::numeric_limits<double>::infinity();
            for (int64_t j = 0; j < k; ++j) best = std::max(best, px[(n * shape[1] + gr * k + j) * S + s]);
            CHECK(y.data<double>()[(n * (shape[1] / k) + gr) * S + s] == best);
          }
    }
  }
}

TEST_CASE("max ops send the gradient to the first maximum; NaN propagates through channel_max_pool", "[pooling]") {
  Tensor x = ones({1, 4, 1, 2}, DType::f64).requires_grad_();
  sum(channel_max_pool(x, 2)).backward();
  CHECK(values(x.grad()) == std::vector<double>{1, 1, 0, 0, 1, 1, 0, 0});
  Tensor img = ones({1, 1, 2, 2}, DType::f64).requires_grad_();
  sum(max_pool2d(img, {2, 2})).backward();
  CHECK(values(img.grad()) == std::vector<double>{1, 0, 0, 0});
  const Tensor nan_in = from_vector(std::vector<double>{1, std::nan(""), 3, 0}, {1, 4});
  const Tensor y = channel_max_pool(nan_in, 2);
  CHECK(std::isnan(y.at<double>({0, 0})));
  CHECK(y.at<double>({0, 1}) == 3.0);
}

TEST_CASE("pooling ops pass gradcheck in every mode", "[pooling][gradcheck]") {
  const Tensor x = gradcheck_input({2, 3, 7, 9}, 45);
  for (const PoolCase& pc : pool_cases()) {
    INFO("kernel " << pc.kernel[0] << "x" << pc.kernel[1] << " stride " << pc.stride[0] << "x" << pc.stride[1]
                   << " pad " << pc.padding[0] << "x" << pc.padding[1] << " ceil " << pc.ceil_mode);
    CHECK(gradcheck(
        [&](const std::vector<Tensor>& v) { return max_pool2d(v[0], pc.kernel, pc.stride, pc.padding, pc.ceil_mode); },
        {x}));
    for (bool include_pad : {true, false})
      CHECK(gradcheck(
          [&](const std::vector<Tensor>& v) {
            return avg_pool2d(v[0], pc.kernel, pc.stride, pc.padding, pc.ceil_mode, include_pad);
          },
          {x}));
  }
  for (const Pair& out : std::vector<Pair>{{1, 1}, {3, 4}, {9, 11}})
    CHECK(gradcheck([out](const std::vector<Tensor>& v) { return adaptive_avg_pool2d(v[0], out); }, {x}));
  for (int64_t k : {1, 3})
    CHECK(gradcheck([k](const std::vector<Tensor>& v) { return channel_max_pool(v[0], k); }, {x}));
  CHECK(
      gradcheck([](const std::vector<Tensor>& v) { return channel_max_pool(v[0], 2); }, {gradcheck_input({5, 6}, 47)}));
}

TEST_CASE("pooling errors name the op and the shapes", "[pooling]") {
  const Tensor x = zeros({1, 2, 5, 5});
  CHECK_THROWS_WITH(
      max_pool2d(zeros({2, 5, 5}), {2, 2}),
      Catch::Contains("max_pool2d: expected a floating input [N, C, H, W]") && Catch::Contains("[2, 5, 5]"));
  CHECK_THROWS_AS(avg_pool2d(zeros({1, 1, 0, 4}), {1, 1}), ValueError);
  CHECK_THROWS_WITH(
      max_pool2d(x, {3, 3}, {1, 1}, {2, 0}),
      Catch::Contains("max_pool2d: padding must be in [0, kernel_size / 2]") && Catch::Contains("padding [2, 0]"));
  CHECK_THROWS_WITH(avg_pool2d(x, {0, 2}), Catch::Contains("avg_pool2d: kernel_size and stride must be positive"));
  CHECK_THROWS_WITH(avg_pool2d(x, {2, 2}, {0, 1}), Catch::Contains("avg_pool2d: kernel_size and stride"));
  CHECK_THROWS_WITH(max_pool2d(x, {6, 6}), Catch::Contains("max_pool2d: output size [1, 2, 0, 0] is too small (input "
                                                           "[1, 2, 5, 5], kernel_size [6, 6], stride [6, 6]"));
  CHECK_THROWS_WITH(adaptive_avg_pool2d(x, {0, 2}),
                    Catch::Contains("adaptive_avg_pool2d: output_size must be positive, got [0, 2]"));
  CHECK_THROWS_WITH(channel_max_pool(zeros({2, 5, 3}), 2),
                    Catch::Contains("channel_max_pool: expected an input [N, C, *] with C divisible by k, got "
                                    "[2, 5, 3] and k = 2"));
  CHECK_THROWS_AS(channel_max_pool(zeros({4}), 1), ValueError);
  CHECK_THROWS_AS(channel_max_pool(zeros({2, 4}), 0), ValueError);
  const Tensor labels = zeros({1, 1, 2, 2}, DType::i64);
  CHECK_THROWS_WITH(max_pool2d(labels, {2, 2}), Catch::Contains("max_pool2d: expected a floating input"));
  CHECK_THROWS_WITH(channel_max_pool(labels, 1), Catch::Contains("channel_max_pool: expected a floating tensor"));
}

TEST_CASE("pooling forward and backward are bit-identical for 1 and 2 threads", "[pooling][parallel]") {
  Generator g(48);
  const Tensor x = randn({8, 16, 33, 31}, g);  // 135 168 elements, far above the grain
  const int before = get_num_threads();
  const auto run = [&](int threads) {
    set_num_threads(threads);
    std::vector<Tensor> results;
    for (int op = 0; op < 4; ++op) {
      Tensor leaf = x.clone().requires_grad_();
      Tensor y = op == 0   ? max_pool2d(leaf, {3, 3}, {2, 2}, {1, 1}, true)
                 : op == 1 ? avg_pool2d(leaf, {3, 2}, {2, 2}, {1, 1}, true, false)
                 : op == 2 ? adaptive_avg_pool2d(leaf, {5, 7})
                           : channel_max_pool(leaf, 4);
      Generator gv(49);
      sum(y * randn(y.shape(), gv)).backward();
      results.push_back(y);
      results.push_back(leaf.grad());
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

TEST_CASE("float 2x2 max pooling (the vectorised path) matches a naive loop with ties and NaN", "[pooling]") {
  // 19 columns: 9 windows a row (two steps of four and one left over) and an unused last column.
  const Shape in{2, 3, 10, 19}, out{2, 3, 5, 9};
  Tensor x = zeros(in);
  float* px = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) px[i] = static_cast<float>((i * 7919) % 5) - 2;  // many ties
  px[19 * 2 + 4] = std::nanf("");       // plane 0, row pair 1, a vectorised window
  px[190 + 19 * 4 + 17] = std::nanf("");  // plane 1, the left-over window of row pair 2
  px[380 + 5] = -std::numeric_limits<float>::infinity();
  Tensor y = zeros(out), indices = zeros(out, DType::i64);
  kernels::max_pool2d_forward(x, kernels::PoolWindow{2, 2, 2, 2, 0, 0}, y, indices);
  for (int64_t p = 0; p < 6; ++p)
    for (int64_t oh = 0; oh < 5; ++oh)
      for (int64_t ow = 0; ow < 9; ++ow) {
        const float* plane = px + p * 190;
        float best = -std::numeric_limits<float>::infinity();
        int64_t arg = 2 * oh * 19 + 2 * ow;
        bool nan = false;
        for (int64_t dh = 0; dh < 2 && !nan; ++dh)
          for (int64_t dw = 0; dw < 2 && !nan; ++dw) {
            const int64_t at = (2 * oh + dh) * 19 + 2 * ow + dw;
            if (std::isnan(plane[at])) {
              nan = true;
              arg = at;
            } else if (plane[at] > best) {
              best = plane[at];
              arg = at;
            }
          }
        const int64_t o = (p * 5 + oh) * 9 + ow;
        INFO("plane " << p << " window " << oh << ", " << ow);
        if (nan)
          CHECK(std::isnan(y.data<float>()[o]));
        else
          CHECK(y.data<float>()[o] == best);
        CHECK(indices.data<int64_t>()[o] == arg);
      }
}
