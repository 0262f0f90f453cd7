#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shape_ops.hpp"
#include "framework/ops/shared_conv.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

// Naive y[n, o] = reduce_{c in S_o} (w_o ⋆ x_c) + b_o, float64, stride and padding as given.
Tensor naive_shared(const Tensor& x, const Tensor& w, const Tensor& b, ChannelReduce reduce,
                    const std::optional<ConnectionTable>& table, int64_t stride, int64_t pad) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), O = w.size(0), K = w.size(2);
  const int64_t Ho = (H + 2 * pad - K) / stride + 1, Wo = (W + 2 * pad - K) / stride + 1;
  Tensor y = zeros({N, O, Ho, Wo}, DType::f64);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < Ho; ++i)
        for (int64_t j = 0; j < Wo; ++j) {
          double acc = reduce == ChannelReduce::max ? -std::numeric_limits<double>::infinity() : 0;
          int64_t count = 0;
          for (int64_t c = 0; c < C; ++c) {
            if (table && !table->connected(o, c)) continue;
            double r = 0;
            for (int64_t p = 0; p < K; ++p)
              for (int64_t q = 0; q < K; ++q) {
                const int64_t h = i * stride - pad + p, v = j * stride - pad + q;
                if (h >= 0 && h < H && v >= 0 && v < W) r += w.at<double>({o, 0, p, q}) * x.at<double>({n, c, h, v});
              }
            acc = reduce == ChannelReduce::max ? std::max(acc, r) : acc + r;
            ++count;
          }
          if (reduce == ChannelReduce::mean) acc /= double(count);
          y.at<double>({n, o, i, j}) = acc + b.at<double>({o});
        }
  return y;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

const ConnectionTable kTable({{true, false, true}, {false, true, false}, {true, true, true}, {true, false, true}});

}  // namespace

TEST_CASE("shared sum over RGB equals a 1-channel convolution of R+G+B", "[shared_conv]") {
  Generator g(1);
  const Tensor x = randn({2, 3, 9, 7}, g), w = randn({4, 1, 3, 3}, g), b = randn({4}, g);
  const Tensor gray = sum(x, {1}, true);
  CHECK(allclose(shared_conv2d(x, w, b, ChannelReduce::sum), conv2d(gray, w, b), 1e-5, 1e-5));
}

TEST_CASE("shared conv matches a naive reference for every reduce, with and without a table", "[shared_conv]") {
  Generator g(2);
  const Tensor x = randn({2, 3, 7, 9}, g, DType::f64), w = randn({4, 1, 3, 3}, g, DType::f64);
  const Tensor b = randn({4}, g, DType::f64);
  for (ChannelReduce r : {ChannelReduce::sum, ChannelReduce::mean, ChannelReduce::max})
    for (const auto& table : {std::optional<ConnectionTable>(), std::optional<ConnectionTable>(kTable)})
      for (auto [stride, pad] : {std::pair<int64_t, int64_t>{1, 0}, {2, 1}}) {
        INFO(channel_reduce_name(r) << " table " << table.has_value() << " stride " << stride);
        const Tensor y = shared_conv2d(x, w, b, r, table, {stride, stride}, {pad, pad});
        CHECK(allclose(y, naive_shared(x, w, b, r, table, stride, pad), 1e-10, 1e-10));
      }
}

TEST_CASE("shared conv passes gradcheck for every reduce", "[shared_conv][gradcheck]") {
  Generator g(3);
  for (ChannelReduce r : {ChannelReduce::sum, ChannelReduce::mean, ChannelReduce::max})
    for (const auto& table : {std::optional<ConnectionTable>(), std::optional<ConnectionTable>(kTable)}) {
      INFO(channel_reduce_name(r) << " table " << table.has_value());
      const Tensor x = randn({2, 3, 5, 6}, g, DType::f64).requires_grad_();
      const Tensor w = randn({4, 1, 3, 3}, g, DType::f64).requires_grad_();
      const Tensor b = randn({4}, g, DType::f64).requires_grad_();
      CHECK(gradcheck(
          [&](const std::vector<Tensor>& v) { return shared_conv2d(v[0], v[1], v[2], r, table, {2, 1}, {1, 1}); },
          {x, w, b}));
    }
}

TEST_CASE("shared conv reports bad shapes and reduce names", "[shared_conv]") {
  CHECK_THROWS_WITH(shared_conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), Tensor(), ChannelReduce::sum),
                    Catch::Contains("weight must be [out, 1, kh, kw]") && Catch::Contains("[4, 3, 3, 3]"));
  CHECK_THROWS_WITH(shared_conv2d(ones({1, 2, 5, 5}), ones({4, 1, 3, 3}), Tensor(), ChannelReduce::max, kTable),
                    Catch::Contains("connection table"));
  CHECK(parse_channel_reduce("max") == ChannelReduce::max);
  CHECK_THROWS_WITH(parse_channel_reduce("median"), Catch::Contains("\"sum\", \"mean\" or \"max\""));
}

TEST_CASE("shared max is bit-identical for 1 and 2 threads", "[shared_conv]") {
  Generator g(4);
  const int threads = get_num_threads();
  const Tensor x = randn({13, 6, 14, 14}, g), w = randn({16, 1, 5, 5}, g), b = randn({16}, g);
  const std::optional<ConnectionTable> lenet5 = ConnectionTable::lenet5();
  for (const auto& table : {std::optional<ConnectionTable>(), lenet5})
    for (int64_t stride : {1, 2}) {
      INFO("table " << table.has_value() << " stride " << stride);
      const int64_t out = stride == 1 ? 12 : 6;
      const Tensor gy = randn({13, 16, out, out}, g);
      const auto run = [&](int n) {
        set_num_threads(n);
        const Tensor xr = x.clone().requires_grad_(), wr = w.clone().requires_grad_(), br = b.clone().requires_grad_();
        const Tensor y = shared_conv2d(xr, wr, br, ChannelReduce::max, table, {stride, stride}, {1, 1});
        y.backward(gy);
        return std::vector<Tensor>{y.detach(), xr.grad(), wr.grad(), br.grad()};
      };
      const std::vector<Tensor> one = run(1), two = run(2);
      set_num_threads(threads);
      for (std::size_t i = 0; i < one.size(); ++i) CHECK(bit_identical(one[i], two[i]));
    }
}

TEST_CASE("shared max passes gradcheck at stride 1 with padding, and matches the reference in float32",
          "[shared_conv][gradcheck]") {
  Generator g(7);
  for (const auto& table : {std::optional<ConnectionTable>(), std::optional<ConnectionTable>(kTable)}) {
    INFO("table " << table.has_value());
    const Tensor x = randn({2, 3, 5, 6}, g, DType::f64).requires_grad_();
    const Tensor w = randn({4, 1, 3, 2}, g, DType::f64).requires_grad_();
    const Tensor b = randn({4}, g, DType::f64).requires_grad_();
    CHECK(gradcheck(
        [&](const std::vector<Tensor>& v) {
          return shared_conv2d(v[0], v[1], v[2], ChannelReduce::max, table, {1, 1}, {1, 2});
        },
        {x, w, b}));
    const Tensor x32 = randn({3, 3, 9, 8}, g), w32 = randn({4, 1, 3, 3}, g), b32 = randn({4}, g);
    for (int64_t stride : {1, 2}) {
      const Tensor y = shared_conv2d(x32, w32, b32, ChannelReduce::max, table, {stride, stride}, {1, 1});
      const Tensor ref = naive_shared(to_dtype(x32, DType::f64), to_dtype(w32, DType::f64), to_dtype(b32, DType::f64),
                                      ChannelReduce::max, table, stride, 1);
      CHECK(allclose(to_dtype(y, DType::f64), ref, 1e-5, 1e-5));
    }
  }
}

TEST_CASE("shared max sends the gradient of an exact tie to the first maximal channel", "[shared_conv]") {
  Generator g(5);
  // Three identical channels: every output ties across the channels it reads, so each output's whole
  // input gradient must land in the lowest channel of its row, as conv2d of that channel alone computes it.
  const Tensor v = randn({2, 1, 6, 7}, g, DType::f64);
  const Tensor x = concat({v, v, v}, 1).requires_grad_();
  const Tensor w = randn({4, 1, 3, 3}, g, DType::f64).requires_grad_();
  const Tensor b = randn({4}, g, DType::f64);
  const ConnectionTable table({{true, true, true}, {false, true, true}, {false, false, true}, {true, false, true}});
  const int64_t first[4] = {0, 1, 2, 0};
  const Tensor gy = randn({2, 4, 6, 7}, g, DType::f64);
  const Tensor y = shared_conv2d(x, w, b, ChannelReduce::max, table, {1, 1}, {1, 1});
  CHECK(allclose(y, conv2d(v, w.detach(), b, {1, 1}, {1, 1}), 1e-12, 1e-12));
  y.backward(gy);
  for (int64_t c = 0; c < 3; ++c) {
    INFO("channel " << c);
    Tensor expected = zeros({2, 1, 6, 7}, DType::f64);
    for (int64_t o = 0; o < 4; ++o) {
      if (first[o] != c) continue;
      const Tensor vr = v.clone().requires_grad_();
      conv2d(vr, slice(w.detach(), 0, o, o + 1), Tensor(), {1, 1}, {1, 1}).backward(slice(gy, 1, o, o + 1).clone());
      expected = expected + vr.grad();
    }
    CHECK(allclose(slice(x.grad(), 1, c, c + 1), expected, 1e-12, 1e-12));
  }
}

TEST_CASE("shared max with a single-channel table row is that channel's convolution", "[shared_conv]") {
  Generator g(6);
  const Tensor x = randn({3, 3, 8, 8}, g, DType::f64).requires_grad_();
  const Tensor w = randn({2, 1, 3, 3}, g, DType::f64).requires_grad_();
  const Tensor b = randn({2}, g, DType::f64).requires_grad_();
  const ConnectionTable table({{true, true, true}, {false, true, false}});
  const Tensor y = shared_conv2d(x, w, b, ChannelReduce::max, table, {2, 2}, {1, 1});
  const Tensor x1 = slice(x.detach(), 1, 1, 2).clone().requires_grad_();
  const Tensor w1 = slice(w.detach(), 0, 1, 2).clone().requires_grad_();
  const Tensor b1 = slice(b.detach(), 0, 1, 2).clone().requires_grad_();
  const Tensor y1 = conv2d(x1, w1, b1, {2, 2}, {1, 1});
  CHECK(allclose(slice(y, 1, 1, 2), y1, 1e-12, 1e-12));
  // Only output 1 contributes: channels 0 and 2 get nothing, channel 1 and w[1] get conv2d's gradients.
  sum(slice(y, 1, 1, 2) * y1.detach()).backward();
  sum(y1 * y1.detach()).backward();
  CHECK(allclose(x.grad(), concat({zeros_like(x1), x1.grad(), zeros_like(x1)}, 1), 1e-12, 0));
  CHECK(allclose(slice(w.grad(), 0, 1, 2), w1.grad(), 1e-12, 1e-12));
  CHECK(allclose(slice(w.grad(), 0, 0, 1), zeros({1, 1, 3, 3}, DType::f64), 0, 0));
  CHECK(allclose(b.grad(), concat({zeros({1}, DType::f64), b1.grad()}, 0), 1e-12, 1e-12));
}

TEST_CASE("shared max propagates NaN from the channels an output reads", "[shared_conv]") {
  Tensor x = ones({1, 2, 4, 4}, DType::f64);
  x.at<double>({0, 1, 0, 0}) = std::numeric_limits<double>::quiet_NaN();
  const ConnectionTable table({{true, true}, {true, false}});
  const Tensor y = shared_conv2d(x, ones({2, 1, 3, 3}, DType::f64), Tensor(), ChannelReduce::max, table);
  CHECK(std::isnan(y.at<double>({0, 0, 0, 0})));
  CHECK(y.at<double>({0, 0, 1, 1}) == 9);
  CHECK(y.at<double>({0, 1, 0, 0}) == 9);
}

TEST_CASE("shared max refuses bad strides, paddings and dtypes", "[shared_conv]") {
  using Catch::Contains;
  const Tensor x = ones({1, 2, 5, 5}), w = ones({3, 1, 3, 3});
  CHECK_THROWS_WITH(shared_conv2d(x, w, Tensor(), ChannelReduce::max, std::nullopt, {0, 1}),
                    Contains("shared_conv2d") && Contains("stride must be positive"));
  CHECK_THROWS_WITH(shared_conv2d(x, w, Tensor(), ChannelReduce::max, std::nullopt, {1, 1}, {-1, 0}),
                    Contains("padding must be non-negative"));
  CHECK_THROWS_WITH(shared_conv2d(x, ones({3, 1, 7, 7}), Tensor(), ChannelReduce::max),
                    Contains("the output would be empty"));
  CHECK_THROWS_WITH(shared_conv2d(x, ones({3, 1, 3, 3}, DType::f64), Tensor(), ChannelReduce::max),
                    Contains("dtype mismatch"));
}
