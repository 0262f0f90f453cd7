#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shared_conv.hpp"

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
