#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/matmul.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shape_ops.hpp"

using namespace tapenet;

namespace {

double value(const Tensor& t, int64_t i) {
  return dispatch_all(t.dtype(), [&]<class T>() { return static_cast<double>(t.data<T>()[i]); });
}

// Index of the matrix of an operand with batch shape `own` that output batch `i` (over `out`) reads.
int64_t broadcast_batch(int64_t i, const Shape& own, const Shape& out) {
  int64_t index = 0, stride = 1;
  for (std::size_t d = out.size(); d-- > 0;) {
    const int64_t pos = i % out[d];
    i /= out[d];
    const std::size_t lead = out.size() - own.size();
    if (d < lead) continue;
    if (own[d - lead] != 1) index += pos * stride;
    stride *= own[d - lead];
  }
  return index;
}

// float64 reference: a triple loop per output matrix, batches broadcast by index arithmetic.
Tensor naive_matmul(const Tensor& a, const Tensor& b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  const Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "naive_matmul");
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = zeros(out_shape, DType::f64);
  double* o = out.data<double>();
  for (int64_t i = 0; i < shape_numel(batch); ++i) {
    const int64_t ia = broadcast_batch(i, batch_a, batch), ib = broadcast_batch(i, batch_b, batch);
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < n; ++c)
        for (int64_t j = 0; j < k; ++j)
          o[(i * m + r) * n + c] += value(a, (ia * m + r) * k + j) * value(b, (ib * k + j) * n + c);
  }
  return out;
}

Tensor mm(const std::vector<Tensor>& v) { return matmul(v[0], v[1]); }

}  // namespace

TEST_CASE("matmul matches a triple loop for 2-d, batched and broadcast shapes", "[matmul]") {
  Generator g(11);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 5}, {5, 3}},    {{2, 3, 4, 5}, {5, 6}}, {{2, 1, 3, 4}, {5, 4, 2}}, {{2, 3, 4, 5}, {1, 5, 6}},
      {{4, 5}, {2, 5, 3}}, {{1, 3, 4}, {2, 4, 5}}, {{1, 1}, {1, 1}},          {{3, 1, 2, 7}, {4, 7, 1}}};
  for (const auto& [sa, sb] : cases) {
    for (DType dtype : {DType::f32, DType::f64}) {
      INFO(shape_str(sa) << " @ " << shape_str(sb) << " " << dtype_name(dtype));
      const Tensor a = randn(sa, g, dtype), b = randn(sb, g, dtype);
      const Tensor y = matmul(a, b);
      CHECK(y.dtype() == dtype);
      CHECK(allclose(y, naive_matmul(a, b), dtype == DType::f32 ? 1e-5 : 1e-12, 1e-5));
    }
  }
}

TEST_CASE("matmul of 1-d operands follows torch.matmul", "[matmul]") {
  Generator g(12);
  const Tensor v = randn({5}, g, DType::f64), w = randn({5}, g, DType::f64);
  const Tensor m = randn({5, 3}, g, DType::f64), batched = randn({2, 4, 5}, g, DType::f64);

  const Tensor dot = matmul(v, w);
  CHECK(dot.shape() == Shape{});
  CHECK(dot.item() == Approx(sum(v * w).item()));

  const Tensor row = matmul(v, m);
  CHECK(row.shape() == Shape{3});
  CHECK(allclose(row, reshape(naive_matmul(reshape(v, {1, 5}), m), {3})));

  const Tensor col = matmul(batched, w);
  CHECK(col.shape() == Shape{2, 4});
  CHECK(allclose(col, reshape(naive_matmul(batched, reshape(w, {5, 1})), {2, 4})));

  const Tensor stack = randn({2, 5, 3}, g, DType::f64);
  const Tensor left = matmul(v, stack);
  CHECK(left.shape() == Shape{2, 3});
  CHECK(allclose(left, reshape(naive_matmul(reshape(v, {1, 5}), stack), {2, 3})));
}

TEST_CASE("matmul with empty extents gives zeros and empty results", "[matmul]") {
  const Tensor a = ones({3, 0}), b = ones({0, 4});
  const Tensor y = matmul(a, b);
  CHECK(y.shape() == Shape{3, 4});
  CHECK(allclose(y, zeros({3, 4})));
  CHECK(matmul(ones({0, 3}), ones({3, 2})).shape() == Shape{0, 2});
  CHECK(matmul(ones({2, 0, 3}), ones({3, 2})).shape() == Shape{2, 0, 2});

  const Tensor x = ones({3, 0}, DType::f64).requires_grad_(), z = ones({0, 4}, DType::f64).requires_grad_();
  sum(matmul(x, z)).backward();
  CHECK(x.grad().shape() == Shape{3, 0});
  CHECK(z.grad().shape() == Shape{0, 4});
}

TEST_CASE("matmul gradients pass gradcheck in every shape family", "[matmul][gradcheck]") {
  Generator g(13);
  const std::vector<std::pair<Shape, Shape>> cases = {{{7, 5}, {5, 3}},
                                                      {{2, 3, 4, 5}, {5, 6}},
                                                      {{2, 1, 3, 4}, {5, 4, 2}},
                                                      {{2, 3, 4, 5}, {1, 5, 6}},
                                                      {{4, 5}, {2, 5, 3}},
                                                      {{1, 3, 4}, {2, 4, 5}},
                                                      {{5}, {5}},
                                                      {{5}, {5, 3}},
                                                      {{2, 4, 5}, {5}},
                                                      {{5}, {2, 5, 3}}};
  for (const auto& [sa, sb] : cases) {
    INFO(shape_str(sa) << " @ " << shape_str(sb));
    const Tensor a = randn(sa, g, DType::f64).requires_grad_(), b = randn(sb, g, DType::f64).requires_grad_();
    CHECK(gradcheck(mm, {a, b}));
  }
}

TEST_CASE("matmul gradient reaches one operand when the other is a constant", "[matmul][gradcheck]") {
  Generator g(14);
  const Tensor a = randn({2, 3, 4}, g, DType::f64).requires_grad_(), b = randn({4, 2}, g, DType::f64);
  CHECK(gradcheck(mm, {a, b}));
  CHECK(gradcheck(mm, {a.detach(), b.clone().requires_grad_()}));
}

TEST_CASE("matmul rejects bad shapes and dtypes with clear messages", "[matmul]") {
  using Catch::Contains;
  CHECK_THROWS_AS(matmul(ones({7, 5}), ones({4, 3})), ValueError);
  CHECK_THROWS_WITH(matmul(ones({7, 5}), ones({4, 3})),
                    Contains("matmul") && Contains("[7, 5]") && Contains("[4, 3]") && Contains("5 vs 4"));
  CHECK_THROWS_WITH(matmul(ones({2, 3, 4}), ones({3, 4, 5})),
                    Contains("matmul") && Contains("[2, 3, 4]") && Contains("[3, 4, 5]") && Contains("broadcast"));
  CHECK_THROWS_WITH(matmul(ones({5}), ones({4})), Contains("matmul") && Contains("[5]") && Contains("[4]"));
  CHECK_THROWS_WITH(matmul(scalar_tensor(2), ones({3})), Contains("matmul") && Contains("[]") && Contains("[3]"));
  CHECK_THROWS_WITH(matmul(ones({2, 2}), ones({2, 2}, DType::f64)),
                    Contains("matmul") && Contains("[2, 2]") && Contains("dtype"));
  CHECK_THROWS_AS(matmul(zeros({2, 2}, DType::i64), zeros({2, 2}, DType::i64)), ValueError);
}
