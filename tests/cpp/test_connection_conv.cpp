#include <array>
#include <catch2/catch.hpp>
#include <cstring>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/connection_conv.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;
using Pair = std::array<int64_t, 2>;

namespace {

// The masked dense convolution, one output element at a time in double.
Tensor reference_conv(const Tensor& x, const Tensor& w, const Tensor& b, const ConnectionTable& table, Pair stride,
                      Pair padding, Pair dilation) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t Co = w.size(0), kh = w.size(2), kw = w.size(3);
  const int64_t OH = (H + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
  const int64_t OW = (W + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
  std::vector<double> out(N * Co * OH * OW);
  const auto value = [](const Tensor& t, std::initializer_list<int64_t> i) {
    return t.dtype() == DType::f64 ? t.at<double>(i) : static_cast<double>(t.at<float>(i));
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b.defined() ? value(b, {o}) : 0.0;
          for (int64_t c = 0; c < C; ++c) {
            if (!table.connected(o, c)) continue;
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t h = oh * stride[0] - padding[0] + i * dilation[0];
                const int64_t v = ow * stride[1] - padding[1] + j * dilation[1];
                if (h >= 0 && h < H && v >= 0 && v < W) acc += value(w, {o, c, i, j}) * value(x, {n, c, h, v});
              }
          }
          out[((n * Co + o) * OH + oh) * OW + ow] = acc;
        }
  return from_vector(out, {N, Co, OH, OW});
}

// A weight whose unconnected slices hold `fill` (e.g. NaN: the op must never read them).
Tensor poison_unconnected(Tensor w, const ConnectionTable& table, double fill) {
  for (int64_t o = 0; o < w.size(0); ++o)
    for (int64_t c = 0; c < w.size(1); ++c)
      if (!table.connected(o, c))
        for (int64_t i = 0; i < w.size(2); ++i)
          for (int64_t j = 0; j < w.size(3); ++j) {
            if (w.dtype() == DType::f64)
              w.at<double>({o, c, i, j}) = fill;
            else
              w.at<float>({o, c, i, j}) = static_cast<float>(fill);
          }
  return w;
}

Tensor to_f64(const Tensor& t) {
  if (t.dtype() == DType::f64) return t;
  Tensor r = Tensor::empty(t.shape(), DType::f64);
  for (int64_t i = 0; i < t.numel(); ++i) r.data<double>()[i] = t.data<float>()[i];
  return r;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

// Output 2 of `in` = 3 inputs reads nothing from input 1; every output reads something.
ConnectionTable table_with_unused_input() {
  return ConnectionTable({{true, false, true}, {false, false, true}, {true, false, false}, {true, false, true}});
}

struct Case {
  const char* name;
  int64_t N, C, Co, H, W, kh, kw;
  Pair stride, padding, dilation;
  ConnectionTable table;
};

std::vector<Case> cases() {
  return {
      {"lenet5 C3", 2, 6, 16, 14, 14, 5, 5, {1, 1}, {0, 0}, {1, 1}, ConnectionTable::lenet5()},
      {"lenet5, odd size, padding", 3, 6, 16, 9, 7, 3, 3, {1, 1}, {1, 1}, {1, 1}, ConnectionTable::lenet5()},
      {"one channel, batch 1", 1, 1, 3, 7, 9, 3, 3, {1, 1}, {0, 0}, {1, 1}, ConnectionTable::full(1, 3)},
      {"3 channels, batch 5, stride 2",
       5,
       3,
       4,
       9,
       9,
       3,
       3,
       {2, 2},
       {0, 0},
       {1, 1},
       ConnectionTable::random(3, 4, 2, 11)},
      {"dilation 2, padding 2", 5, 3, 5, 9, 7, 3, 2, {1, 1}, {2, 1}, {2, 2}, ConnectionTable::random(3, 5, 1, 7)},
      {"stride 2, padding, dilation 2",
       2,
       3,
       7,
       9,
       9,
       3,
       3,
       {2, 1},
       {1, 2},
       {2, 1},
       ConnectionTable::random(3, 7, 2, 3)},
      {"full table", 3, 3, 4, 7, 7, 3, 3, {1, 1}, {1, 1}, {1, 1}, ConnectionTable::full(3, 4)},
      {"grouped g=2", 2, 4, 6, 7, 9, 3, 3, {1, 1}, {0, 0}, {1, 1}, ConnectionTable::grouped(4, 6, 2)},
      {"an input channel feeds no output", 5, 3, 4, 9, 7, 3, 3, {2, 2}, {1, 1}, {1, 1}, table_with_unused_input()},
      {"1x1 kernel, wide output", 2, 6, 16, 7, 9, 1, 1, {1, 1}, {0, 0}, {1, 1}, ConnectionTable::lenet5()},
  };
}

}  // namespace

TEST_CASE("connection_conv2d equals the masked dense convolution", "[connection_conv]") {
  Generator gen(1);
  for (const Case& k : cases())
    for (DType dt : {DType::f32, DType::f64}) {
      INFO(k.name << " " << dtype_name(dt));
      const Tensor x = randn({k.N, k.C, k.H, k.W}, gen, dt);
      const Tensor w = poison_unconnected(randn({k.Co, k.C, k.kh, k.kw}, gen, dt), k.table, std::nan(""));
      const Tensor b = randn({k.Co}, gen, dt);
      const Tensor y = connection_conv2d(x, w, b, k.table, k.stride, k.padding, k.dilation);
      const Tensor expected = reference_conv(x, w, b, k.table, k.stride, k.padding, k.dilation);
      const double tol = dt == DType::f64 ? 1e-12 : 1e-5;
      CHECK(y.dtype() == dt);
      CHECK(allclose(to_f64(y), expected, tol, tol));
      const Tensor y_nobias = connection_conv2d(x, w, Tensor(), k.table, k.stride, k.padding, k.dilation);
      CHECK(allclose(to_f64(y_nobias), reference_conv(x, w, Tensor(), k.table, k.stride, k.padding, k.dilation), tol,
                     tol));
    }
}

TEST_CASE("connection_conv2d passes a float64 gradcheck of input, weight and bias", "[connection_conv][gradcheck]") {
  Generator gen(2);
  for (const Case& k : cases()) {
    if (k.N * k.C * k.H * k.W + k.Co * k.C * k.kh * k.kw > 2500) continue;  // keep the finite differences fast
    INFO(k.name);
    const Tensor x = randn({k.N, k.C, k.H, k.W}, gen, DType::f64).requires_grad_();
    const Tensor w = randn({k.Co, k.C, k.kh, k.kw}, gen, DType::f64).requires_grad_();
    const Tensor b = randn({k.Co}, gen, DType::f64).requires_grad_();
    const auto f = [&k](const std::vector<Tensor>& v) {
      return connection_conv2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor(), k.table, k.stride, k.padding, k.dilation);
    };
    CHECK(gradcheck(f, {x, w, b}));
    CHECK(gradcheck(f, {x, w}));
    CHECK(gradcheck(f, {x.detach(), w, b}));           // no input gradient
    CHECK(gradcheck(f, {x, w.detach(), b.detach()}));  // input gradient only
  }
}

TEST_CASE("connection_conv2d gives unconnected weight slices exactly zero gradient", "[connection_conv]") {
  Generator gen(3);
  const ConnectionTable table = ConnectionTable::lenet5();
  for (DType dt : {DType::f32, DType::f64}) {
    INFO(dtype_name(dt));
    const Tensor x = randn({3, 6, 9, 9}, gen, dt).requires_grad_();
    const Tensor w = poison_unconnected(randn({16, 6, 3, 3}, gen, dt), table, 123.0).requires_grad_();
    const Tensor b = randn({16}, gen, dt).requires_grad_();
    sum(connection_conv2d(x, w, b, table, {1, 1}, {1, 1})).backward();
    const Tensor gw = to_f64(w.grad());
    int64_t zero_in_unconnected = 0, nonzero_in_connected = 0;
    for (int64_t o = 0; o < 16; ++o)
      for (int64_t c = 0; c < 6; ++c)
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t j = 0; j < 3; ++j) {
            const double g = gw.at<double>({o, c, i, j});
            if (table.connected(o, c))
              nonzero_in_connected += g != 0.0;
            else
              zero_in_unconnected += g == 0.0;
          }
    CHECK(zero_in_unconnected == (96 - 60) * 9);
    CHECK(nonzero_in_connected == 60 * 9);
    // The unconnected weights did not leak into the input gradient either.
    const Tensor x2 = x.detach().requires_grad_();
    sum(connection_conv2d(x2, poison_unconnected(w.detach(), table, 0.0), b.detach(), table, {1, 1}, {1, 1}))
        .backward();
    CHECK(bit_identical(x.grad(), x2.grad()));
  }
}

TEST_CASE("connection_conv2d is bit-identical for 1 and 2 threads", "[connection_conv]") {
  Generator gen(4);
  const int threads = get_num_threads();
  const ConnectionTable table = ConnectionTable::lenet5();
  const Tensor x = randn({13, 6, 14, 14}, gen), w = randn({16, 6, 5, 5}, gen), b = randn({16}, gen);
  const Tensor gy = randn({13, 16, 10, 10}, gen);
  const auto run = [&](int n) {
    set_num_threads(n);
    const Tensor xr = x.clone().requires_grad_(), wr = w.clone().requires_grad_(), br = b.clone().requires_grad_();
    const Tensor y = connection_conv2d(xr, wr, br, table);
    y.backward(gy);
    return std::vector<Tensor>{y.detach(), xr.grad(), wr.grad(), br.grad()};
  };
  const std::vector<Tensor> one = run(1), two = run(2);
  set_num_threads(threads);
  for (std::size_t i = 0; i < one.size(); ++i) CHECK(bit_identical(one[i], two[i]));
}

TEST_CASE("connection_conv2d refuses bad arguments naming the op and the shapes", "[connection_conv]") {
  using Catch::Contains;
  const ConnectionTable table = ConnectionTable::lenet5();
  const Tensor x = zeros({2, 6, 14, 14}), w = zeros({16, 6, 5, 5}), b = zeros({16});
  CHECK_THROWS_WITH(
      connection_conv2d(x, zeros({16, 5, 5, 5}), b, table),
      Contains("connection_conv2d of input [2, 6, 14, 14], weight [16, 5, 5, 5], bias [16], table [16, 6]") &&
          Contains("weight has 5 input channels, expected C_in = 6"));
  CHECK_THROWS_WITH(connection_conv2d(x, zeros({15, 6, 5, 5}), zeros({15}), table),
                    Contains("connection_conv2d") && Contains("table [16, 6]") &&
                        Contains("expected a table of [C_out, C_in] = [15, 6]"));
  CHECK_THROWS_WITH(connection_conv2d(zeros({2, 3, 14, 14}), zeros({16, 3, 5, 5}), b, table),
                    Contains("connection_conv2d") && Contains("expected a table of [C_out, C_in] = [16, 3]"));
  CHECK_THROWS_WITH(connection_conv2d(x, w, zeros({6}), table),
                    Contains("connection_conv2d") && Contains("bias [6]") && Contains("expected a bias of shape [16]"));
  CHECK_THROWS_WITH(connection_conv2d(zeros({6, 14, 14}), w, b, table),
                    Contains("connection_conv2d of input [6, 14, 14]") && Contains("expected a 4-d input"));
  CHECK_THROWS_WITH(connection_conv2d(x, zeros({16, 6, 25}), b, table), Contains("connection_conv2d") &&
                                                                            Contains("weight [16, 6, 25]") &&
                                                                            Contains("expected a 4-d weight"));
  CHECK_THROWS_WITH(connection_conv2d(x, w, b, table, {0, 1}),
                    Contains("connection_conv2d") && Contains("stride must be positive, got (0, 1)"));
  CHECK_THROWS_WITH(connection_conv2d(x, w, b, table, {1, 1}, {-1, 0}),
                    Contains("connection_conv2d") && Contains("padding must be non-negative"));
  CHECK_THROWS_WITH(connection_conv2d(x, w, b, table, {1, 1}, {0, 0}, {1, 0}),
                    Contains("connection_conv2d") && Contains("dilation must be positive"));
  CHECK_THROWS_WITH(connection_conv2d(zeros({2, 6, 4, 4}), w, b, table),
                    Contains("connection_conv2d of input [2, 6, 4, 4]") && Contains("the output would be empty"));
  CHECK_THROWS_WITH(connection_conv2d(x, zeros({16, 6, 5, 5}, DType::f64), b, table),
                    Contains("connection_conv2d") && Contains("dtype mismatch"));
  CHECK_THROWS_WITH(
      connection_conv2d(zeros({2, 6, 14, 14}, DType::i64), zeros({16, 6, 5, 5}, DType::i64), Tensor(), table),
      Contains("connection_conv2d") && Contains("float32 or float64"));
}
