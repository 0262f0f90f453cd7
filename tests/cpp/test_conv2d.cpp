#include <catch2/catch.hpp>
#include <cstring>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/kernels/conv2d.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/parallel.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

namespace {

struct Case {
  const char* name;
  int64_t batch, c_in, c_out, h, w, kh, kw;
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

// Odd sizes covering every code path: one and several channels and images, stride, padding,
// dilation, asymmetric kernels and arguments, groups, depthwise (with a channel multiplier).
const std::vector<Case> kCases = {
    {"1 channel, 1 image", 1, 1, 1, 7, 7, 3, 3},
    {"3 -> 4, batch 5, 3x2 kernel", 5, 3, 4, 9, 7, 3, 2},
    {"stride 2, padding 1", 2, 3, 2, 9, 9, 3, 3, {2, 2}, {1, 1}},
    {"dilation 2, padding 2", 1, 3, 3, 9, 9, 3, 3, {1, 1}, {2, 2}, {2, 2}},
    {"asymmetric stride, padding, dilation", 2, 3, 2, 9, 7, 2, 3, {2, 1}, {1, 2}, {2, 1}},
    {"groups 3", 2, 6, 9, 7, 7, 3, 3, {1, 1}, {1, 1}, {1, 1}, 3},
    {"groups 3, stride 2, no bias", 5, 3, 3, 9, 9, 3, 2, {2, 2}, {0, 1}, {1, 1}, 1, false},
    {"depthwise", 5, 3, 3, 7, 7, 3, 3, {1, 1}, {1, 1}, {1, 1}, 3},
    {"depthwise, stride 2, dilation 2", 2, 3, 3, 9, 9, 3, 2, {2, 2}, {2, 1}, {2, 2}, 3},
    {"depthwise, multiplier 2", 2, 3, 6, 7, 9, 3, 3, {1, 2}, {1, 1}, {1, 1}, 3},
    {"1 input channel, 5x5 kernel", 5, 1, 4, 9, 9, 5, 5, {1, 1}, {2, 2}},
    {"kernel as large as the padded input", 1, 3, 2, 7, 7, 9, 9, {1, 1}, {1, 1}},
};

struct Operands {
  Tensor x, w, b;
};

Operands make_operands(const Case& c, Generator& gen, DType dtype) {
  return {randn({c.batch, c.c_in, c.h, c.w}, gen, dtype), randn({c.c_out, c.c_in / c.groups, c.kh, c.kw}, gen, dtype),
          c.bias ? randn({c.c_out}, gen, dtype) : Tensor()};
}

Tensor run(const Case& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  return conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
}

double value(const Tensor& t, int64_t i) { return t.dtype() == DType::f32 ? t.data<float>()[i] : t.data<double>()[i]; }

// Calls f(n, o, oh, ow, ci, i, j, x_index, w_index, y_index) for every product of the convolution:
// the 7 loops of the definition (plus the channel within the group), padding skipped.
template <class F>
void for_each_product(const Case& c, F f) {
  const int64_t oh_n = (c.h + 2 * c.padding[0] - c.dilation[0] * (c.kh - 1) - 1) / c.stride[0] + 1;
  const int64_t ow_n = (c.w + 2 * c.padding[1] - c.dilation[1] * (c.kw - 1) - 1) / c.stride[1] + 1;
  const int64_t cin_g = c.c_in / c.groups, cout_g = c.c_out / c.groups;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t o = 0; o < c.c_out; ++o)
      for (int64_t oh = 0; oh < oh_n; ++oh)
        for (int64_t ow = 0; ow < ow_n; ++ow)
          for (int64_t k = 0; k < cin_g; ++k)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t ih = oh * c.stride[0] - c.padding[0] + i * c.dilation[0];
                const int64_t iw = ow * c.stride[1] - c.padding[1] + j * c.dilation[1];
                if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
                const int64_t ci = o / cout_g * cin_g + k;
                f(((n * c.c_in + ci) * c.h + ih) * c.w + iw, ((o * cin_g + k) * c.kh + i) * c.kw + j,
                  ((n * c.c_out + o) * oh_n + oh) * ow_n + ow, o);
              }
}

Shape out_shape(const Case& c) {
  return {c.batch, c.c_out, (c.h + 2 * c.padding[0] - c.dilation[0] * (c.kh - 1) - 1) / c.stride[0] + 1,
          (c.w + 2 * c.padding[1] - c.dilation[1] * (c.kw - 1) - 1) / c.stride[1] + 1};
}

// float64 reference forward.
Tensor naive_conv2d(const Case& c, const Operands& v) {
  Tensor y = zeros(out_shape(c), DType::f64);
  double* py = y.data<double>();
  if (v.b.defined())
    for (int64_t i = 0; i < y.numel(); ++i) py[i] = value(v.b, i / (y.size(2) * y.size(3)) % c.c_out);
  for_each_product(c, [&](int64_t xi, int64_t wi, int64_t yi, int64_t) { py[yi] += value(v.x, xi) * value(v.w, wi); });
  return y;
}

// float64 reference backward for the gradient gy: {gx, gw, gb}.
Operands naive_conv2d_backward(const Case& c, const Operands& v, const Tensor& gy) {
  Operands g{zeros(v.x.shape(), DType::f64), zeros(v.w.shape(), DType::f64), zeros({c.c_out}, DType::f64)};
  for_each_product(c, [&](int64_t xi, int64_t wi, int64_t yi, int64_t) {
    g.x.data<double>()[xi] += value(gy, yi) * value(v.w, wi);
    g.w.data<double>()[wi] += value(gy, yi) * value(v.x, xi);
  });
  for (int64_t i = 0; i < gy.numel(); ++i) g.b.data<double>()[i / (gy.size(2) * gy.size(3)) % c.c_out] += value(gy, i);
  return g;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

}  // namespace

TEST_CASE("conv2d matches the 7-loop definition", "[conv2d]") {
  Generator gen(21);
  for (const Case& c : kCases) {
    for (DType dtype : {DType::f32, DType::f64}) {
      INFO(c.name << " " << dtype_name(dtype));
      const Operands v = make_operands(c, gen, dtype);
      const Tensor y = run(c, v.x, v.w, v.b);
      CHECK(y.dtype() == dtype);
      CHECK(y.shape() == out_shape(c));
      CHECK(allclose(y, naive_conv2d(c, v), dtype == DType::f32 ? 1e-4 : 1e-12, 1e-5));
    }
  }
}

TEST_CASE("conv2d kernels agree with the definition for every algorithm, chunk and run length", "[conv2d]") {
  Generator gen(22);
  for (const Case& c : kCases) {
    const Operands v = make_operands(c, gen, DType::f64);
    const Tensor gy = randn(out_shape(c), gen, DType::f64);
    const Tensor want_y = naive_conv2d(c, v);
    const Operands want = naive_conv2d_backward(c, v, gy);
    const kernels::ConvGeometry geom{c.h,         c.w,          c.kh,         c.kw,          c.stride[0],
                                     c.stride[1], c.padding[0], c.padding[1], c.dilation[0], c.dilation[1]};
    kernels::Conv2dPlan plan = kernels::plan_conv2d(c.batch, c.c_in, c.c_out, c.groups, geom);
    CHECK(plan.chunk == (c.batch + kernels::kConvBlocks - 1) / kernels::kConvBlocks);
    CHECK(plan.gemm_images >= 1);
    CHECK(plan.gemm_images <= plan.chunk);
    CHECK((plan.algorithm == kernels::Conv2dAlgorithm::direct) == (c.groups > 1 && c.c_in == c.groups));
    std::vector<kernels::Conv2dAlgorithm> algorithms = {kernels::Conv2dAlgorithm::gemm};
    if (c.c_in == c.groups) algorithms.push_back(kernels::Conv2dAlgorithm::direct);
    if (c.stride[0] == 1) algorithms.push_back(kernels::Conv2dAlgorithm::gemm_rows);
    for (kernels::Conv2dAlgorithm algorithm : algorithms) {
      for (const auto& [chunk, gemm_images] : {std::pair<int64_t, int64_t>{1, 1}, {2, 1}, {2, 2}, {3, 2}, {5, 5}}) {
        INFO(c.name << ", algorithm " << static_cast<int>(algorithm) << ", chunk " << chunk << ", gemm_images "
                    << gemm_images);
        plan.algorithm = algorithm;
        plan.chunk = std::min(chunk, c.batch);
        plan.gemm_images = std::min(gemm_images, plan.chunk);
        plan.keep_columns = true;
        for (bool keep : {false, true}) {
          INFO("keep columns " << keep);
          Tensor y = full(out_shape(c), 7, DType::f64);  // assigned, whatever was there
          const Tensor columns = kernels::conv2d_forward(v.x, v.w, v.b, y, plan, keep);
          CHECK(columns.defined() == (keep && algorithm == kernels::Conv2dAlgorithm::gemm));
          CHECK(allclose(y, want_y, 1e-12, 1e-12));
          // Start from ones: the kernels accumulate.
          Tensor gx = ones(v.x.shape(), DType::f64), gw = ones(v.w.shape(), DType::f64);
          Tensor gb = ones({c.c_out}, DType::f64);
          kernels::conv2d_backward(gy, v.x, v.w, columns, &gx, &gw, &gb, plan);
          CHECK(allclose(gx, full(v.x.shape(), 1, DType::f64) + want.x, 1e-12, 1e-12));
          CHECK(allclose(gw, full(v.w.shape(), 1, DType::f64) + want.w, 1e-12, 1e-12));
          CHECK(allclose(gb, full({c.c_out}, 1, DType::f64) + want.b, 1e-12, 1e-12));
        }
      }
    }
  }
}

TEST_CASE("conv2d gradients pass gradcheck for input, weight and bias", "[conv2d][gradcheck]") {
  Generator gen(23);
  for (const Case& c : kCases) {
    INFO(c.name);
    Operands v = make_operands(c, gen, DType::f64);
    v.x.requires_grad_();
    v.w.requires_grad_();
    if (c.bias) v.b.requires_grad_();
    const auto f = [&c](const std::vector<Tensor>& in) {
      return run(c, in[0], in[1], in.size() > 2 ? in[2] : Tensor());
    };
    CHECK(gradcheck(f, c.bias ? std::vector<Tensor>{v.x, v.w, v.b} : std::vector<Tensor>{v.x, v.w}));
  }
}

TEST_CASE("conv2d gradient reaches only the operands that require it", "[conv2d][gradcheck]") {
  Generator gen(24);
  const Case& c = kCases[1];
  const Operands v = make_operands(c, gen, DType::f64);
  const auto f = [&c](const std::vector<Tensor>& in) { return run(c, in[0], in[1], in[2]); };
  CHECK(gradcheck(f, {v.x.clone().requires_grad_(), v.w, v.b}));
  CHECK(gradcheck(f, {v.x, v.w.clone().requires_grad_(), v.b}));
  CHECK(gradcheck(f, {v.x, v.w, v.b.clone().requires_grad_()}));
}

TEST_CASE("plan_conv2d picks gemm_rows for deep stride-1 convolutions only", "[conv2d]") {
  using kernels::Conv2dAlgorithm;
  const auto algorithm = [](int64_t c_in, int64_t size, int64_t k, int64_t stride, int64_t groups = 1) {
    const kernels::ConvGeometry g{size, size, k, k, stride, stride, 1, 1, 1, 1};
    return kernels::plan_conv2d(64, c_in, 64, groups, g).algorithm;
  };
  CHECK(algorithm(64, 16, 3, 1) == Conv2dAlgorithm::gemm_rows);
  CHECK(algorithm(64, 16, 3, 2) == Conv2dAlgorithm::gemm);  // stride_h 2
  CHECK(algorithm(3, 32, 3, 1) == Conv2dAlgorithm::gemm);  // shallow: 3 * 3 < kConvRowsDepth
  CHECK(algorithm(64, 8, 3, 1) == Conv2dAlgorithm::gemm);  // small images share GEMMs
  CHECK(algorithm(64, 16, 1, 1) == Conv2dAlgorithm::gemm);  // one kernel row
  CHECK(algorithm(64, 16, 3, 1, 4) == Conv2dAlgorithm::gemm);  // 16 * 3 per group
  CHECK(algorithm(64, 16, 3, 1, 64) == Conv2dAlgorithm::direct);
}

TEST_CASE("conv2d is bit-identical with 1 and 2 threads", "[conv2d]") {
  const int previous = get_num_threads();
  const std::vector<Case> cases = {
      {"dense", 8, 8, 16, 16, 16, 3, 3, {1, 1}, {1, 1}},
      {"groups 2", 8, 6, 16, 14, 14, 5, 5, {1, 1}, {0, 0}, {1, 1}, 2},
      {"depthwise", 8, 16, 16, 16, 16, 3, 3, {1, 1}, {1, 1}, {1, 1}, 16},
      {"columns recomputed in backward", 16, 64, 8, 32, 32, 3, 3, {2, 2}, {1, 1}},
      {"kernel rows (gemm_rows)", 16, 64, 8, 16, 16, 3, 3, {1, 1}, {1, 1}},
      {"kernel rows (gemm_rows), groups 2, dilation", 6, 128, 8, 12, 16, 3, 3, {1, 2}, {2, 1}, {2, 1}, 2},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Generator gen(25);
    const Operands v = make_operands(c, gen, DType::f32);
    const Tensor gy = randn(out_shape(c), gen, DType::f32);
    std::vector<std::vector<Tensor>> results;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      const Tensor x = v.x.clone().requires_grad_(), w = v.w.clone().requires_grad_(), b = v.b.clone().requires_grad_();
      const Tensor y = run(c, x, w, b);
      y.backward(gy);
      results.push_back({y, x.grad(), w.grad(), b.grad()});
    }
    set_num_threads(previous);
    for (std::size_t i = 0; i < results[0].size(); ++i) CHECK(bit_identical(results[0][i], results[1][i]));
  }
}

TEST_CASE("conv2d rejects bad shapes and arguments with clear messages", "[conv2d]") {
  using Catch::Contains;
  const Tensor x = ones({2, 6, 7, 7}), w = ones({4, 3, 3, 3});
  CHECK_THROWS_AS(conv2d(x, ones({4, 6, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 4), ValueError);
  CHECK_THROWS_WITH(conv2d(x, ones({4, 6, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 4),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("C_in = 6") && Contains("groups = 4"));
  CHECK_THROWS_WITH(conv2d(x, ones({5, 3, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("[5, 3, 3, 3]") &&
                        Contains("C_out = 5") && Contains("groups = 2"));
  CHECK_THROWS_WITH(conv2d(x, w), Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("[4, 3, 3, 3]") &&
                                      Contains("weight has 3 input channels") &&
                                      Contains("expected C_in / groups = 6"));
  CHECK_THROWS_WITH(conv2d(x, ones({4, 6, 9, 3})), Contains("conv2d") && Contains("[2, 6, 7, 7]") &&
                                                       Contains("[4, 6, 9, 3]") && Contains("output would be empty"));
  CHECK_THROWS_WITH(conv2d(x, ones({4, 6, 3, 3}), Tensor(), {1, 1}, {0, 0}, {4, 1}),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("output would be empty") &&
                        Contains("dilation (4, 1)"));
  CHECK_THROWS_WITH(conv2d(x, w, Tensor(), {0, 1}, {0, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("stride must be positive"));
  CHECK_THROWS_WITH(conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, -1}, 2),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("dilation must be positive"));
  CHECK_THROWS_WITH(conv2d(x, w, Tensor(), {1, 1}, {-1, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("padding must be non-negative"));
  CHECK_THROWS_WITH(conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 0),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("groups must be positive"));
  CHECK_THROWS_WITH(conv2d(x, w, ones({5}), {1, 1}, {0, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("bias [5]") &&
                        Contains("expected a bias of shape [4]"));
  CHECK_THROWS_WITH(conv2d(ones({6, 7, 7}), w), Contains("conv2d") && Contains("[6, 7, 7]") && Contains("4-d input"));
  CHECK_THROWS_WITH(conv2d(x, ones({4, 6, 3})),
                    Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("[4, 6, 3]") && Contains("4-d weight"));
  CHECK_THROWS_WITH(conv2d(x, ones({4, 3, 3, 3}, DType::f64), Tensor(), {1, 1}, {0, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("dtype") && Contains("[2, 6, 7, 7]") && Contains("float64"));
  CHECK_THROWS_WITH(conv2d(x, w, ones({4}, DType::f64), {1, 1}, {0, 0}, {1, 1}, 2),
                    Contains("conv2d") && Contains("dtype") && Contains("[4]"));
  CHECK_THROWS_WITH(
      conv2d(zeros({2, 6, 7, 7}, DType::i64), zeros({4, 3, 3, 3}, DType::i64), Tensor(), {1, 1}, {0, 0}, {1, 1}, 2),
      Contains("conv2d") && Contains("[2, 6, 7, 7]") && Contains("int64"));
}
