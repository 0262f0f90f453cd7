#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

#include "framework/factories.hpp"
#include "framework/gradcheck.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/ops/shape_ops.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

namespace {

// gradcheck of a one-input function on a random float64 tensor of `shape`.
bool check_unary(const Shape& shape, const std::function<Tensor(const Tensor&)>& f, uint64_t seed = 0) {
  Generator g(seed);
  return gradcheck([&](const std::vector<Tensor>& v) { return f(v[0]); },
                   {randn(shape, g, DType::f64).requires_grad_()});
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

}  // namespace

TEST_CASE("reshape infers one -1 and shares storage", "[shape_ops]") {
  Tensor x = arange(24, DType::f64);
  Tensor y = reshape(x, {2, -1, 4});
  CHECK(y.shape() == Shape{2, 3, 4});
  CHECK(y.at<double>({1, 2, 3}) == 23);
  y.at<double>({0, 1, 0}) = -7;
  CHECK(x.at<double>({4}) == -7);
  x.at<double>({23}) = 99;
  CHECK(y.at<double>({1, 2, 3}) == 99);
  CHECK(reshape(x, {-1}).shape() == Shape{24});
  CHECK(reshape(scalar_tensor(3), {1, 1}).shape() == Shape{1, 1});
  CHECK(reshape(ones({1, 1}), {}).shape() == Shape{});
  CHECK(reshape(zeros({0, 3}), {3, -1}).shape() == Shape{3, 0});
  CHECK(reshape(zeros({2, 3}, DType::i64), {3, 2}).dtype() == DType::i64);
}

TEST_CASE("reshape rejects impossible shapes naming both", "[shape_ops]") {
  const Tensor x = ones({2, 3});
  CHECK_THROWS_AS(reshape(x, {4, 2}), ValueError);
  CHECK_THROWS_WITH(reshape(x, {4, 2}),
                    Catch::Contains("reshape") && Catch::Contains("[4, 2]") && Catch::Contains("[2, 3]"));
  CHECK_THROWS_WITH(reshape(x, {-1, -1}), Catch::Contains("only one dimension can be -1"));
  CHECK_THROWS_WITH(reshape(x, {-1, 4}), Catch::Contains("[-1, 4]"));
  CHECK_THROWS_WITH(reshape(x, {-2, -3}), Catch::Contains("negative"));
  CHECK_THROWS_AS(reshape(zeros({0}), {-1, 0}), ValueError);
}

TEST_CASE("flatten, unsqueeze and squeeze shapes", "[shape_ops]") {
  const Tensor x = zeros({2, 3, 4, 5});
  CHECK(flatten(x).shape() == Shape{120});
  CHECK(flatten(x, 1).shape() == Shape{2, 60});
  CHECK(flatten(x, 1, 2).shape() == Shape{2, 12, 5});
  CHECK(flatten(x, -3, -2).shape() == Shape{2, 12, 5});
  CHECK(flatten(x, 2, 2).shape() == Shape{2, 3, 4, 5});
  CHECK(flatten(scalar_tensor(1)).shape() == Shape{1});
  CHECK_THROWS_WITH(flatten(x, 2, 1), Catch::Contains("flatten") && Catch::Contains("[2, 3, 4, 5]"));
  CHECK_THROWS_AS(flatten(x, 4), IndexError);

  CHECK(unsqueeze(x, 0).shape() == Shape{1, 2, 3, 4, 5});
  CHECK(unsqueeze(x, -1).shape() == Shape{2, 3, 4, 5, 1});
  CHECK(unsqueeze(x, 4).shape() == Shape{2, 3, 4, 5, 1});
  CHECK(unsqueeze(scalar_tensor(1), 0).shape() == Shape{1});
  CHECK_THROWS_AS(unsqueeze(x, 5), IndexError);

  const Tensor s = zeros({2, 1, 3});
  CHECK(squeeze(s, 1).shape() == Shape{2, 3});
  CHECK(squeeze(s, -2).shape() == Shape{2, 3});
  CHECK(squeeze(s, 0).shape() == Shape{2, 1, 3});
  CHECK_THROWS_AS(squeeze(s, 3), IndexError);
}

TEST_CASE("permute and transpose move elements", "[shape_ops]") {
  const Tensor x = reshape(arange(24, DType::f64), {2, 3, 4});
  const Tensor p = permute(x, {2, 0, 1});
  REQUIRE(p.shape() == Shape{4, 2, 3});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) CHECK(p.at<double>({k, i, j}) == x.at<double>({i, j, k}));
  CHECK(bitwise_equal(permute(x, {-1, 0, -2}), p));

  const Tensor tr = transpose(x, -1, 0);
  REQUIRE(tr.shape() == Shape{4, 3, 2});
  CHECK(tr.at<double>({3, 1, 0}) == x.at<double>({0, 1, 3}));
  CHECK(bitwise_equal(transpose(x, 1, 1), x));

  const Tensor m = reshape(arange(6, DType::f64), {2, 3});
  CHECK(t(m).shape() == Shape{3, 2});
  CHECK(t(m).at<double>({2, 1}) == 5);
  CHECK(t(ones({4})).shape() == Shape{4});
  CHECK_THROWS_WITH(t(x), Catch::Contains("[2, 3, 4]"));
  CHECK(permute(scalar_tensor(2), {}).item() == 2);
  CHECK(permute(zeros({0, 3}), {1, 0}).shape() == Shape{3, 0});
}

TEST_CASE("permute rejects dims that are not a permutation", "[shape_ops]") {
  const Tensor x = zeros({2, 3, 4});
  CHECK_THROWS_AS(permute(x, {0, 1}), ValueError);
  CHECK_THROWS_WITH(permute(x, {0, 1}), Catch::Contains("permute") && Catch::Contains("[2, 3, 4]"));
  CHECK_THROWS_WITH(permute(x, {0, 1, -3}), Catch::Contains("repeats"));
  CHECK_THROWS_AS(permute(x, {0, 1, 3}), IndexError);
  CHECK_THROWS_AS(transpose(x, 0, -4), IndexError);
}

TEST_CASE("concat joins along any dim like torch.cat", "[shape_ops]") {
  const Tensor a = reshape(arange(6, DType::f64), {2, 3});
  const Tensor b = reshape(arange(100, 104, 1, DType::f64), {2, 2});
  const Tensor c = reshape(arange(200, 202, 1, DType::f64), {2, 1});
  const Tensor y = concat({a, b, c}, -1);
  REQUIRE(y.shape() == Shape{2, 6});
  const std::vector<double> expected = {0, 1, 2, 100, 101, 200, 3, 4, 5, 102, 103, 201};
  CHECK(std::equal(expected.begin(), expected.end(), y.data<double>()));
  const Tensor rows = concat({a, a}, 0);
  CHECK(rows.shape() == Shape{4, 3});
  CHECK(rows.at<double>({3, 2}) == 5);
  CHECK(concat({a}).shape() == Shape{2, 3});
  CHECK(concat({zeros({0, 3}, DType::f64), a}).shape() == Shape{2, 3});
  CHECK(concat({zeros({2}, DType::i64), ones({3}, DType::i64)}).shape() == Shape{5});
}

TEST_CASE("concat rejects empty lists and mismatched shapes or dtypes", "[shape_ops]") {
  CHECK_THROWS_WITH(concat({}), Catch::Contains("non-empty"));
  CHECK_THROWS_AS(concat({ones({2, 3}), ones({3, 3})}, 1), ValueError);
  CHECK_THROWS_WITH(concat({ones({2, 3}), ones({2, 3}), ones({3, 3})}, 1),
                    Catch::Contains("concat") && Catch::Contains("[2, 3]") && Catch::Contains("[3, 3]") &&
                        Catch::Contains("position 2"));
  CHECK_THROWS_WITH(concat({ones({2, 3}), ones({2, 3, 1})}), Catch::Contains("[2, 3, 1]"));
  CHECK_THROWS_WITH(concat({ones({2}), ones({2}, DType::f64)}), Catch::Contains("concat") && Catch::Contains("dtype"));
  CHECK_THROWS_AS(concat({scalar_tensor(1), scalar_tensor(2)}), ValueError);
  CHECK_THROWS_AS(concat({ones({2})}, 1), IndexError);
}

TEST_CASE("slice follows Python's x[start:end:step] on one dim", "[shape_ops]") {
  const Tensor x = reshape(arange(20, DType::f64), {2, 10});
  const auto row0 = [](const Tensor& s) { return std::vector<double>(s.data<double>(), s.data<double>() + s.size(1)); };
  CHECK(row0(slice(x, 1, 2, 7)) == std::vector<double>{2, 3, 4, 5, 6});
  CHECK(row0(slice(x, 1, 1, 8, 2)) == std::vector<double>{1, 3, 5, 7});
  CHECK(row0(slice(x, -1, -4, 100, 2)) == std::vector<double>{6, 8});
  CHECK(row0(slice(x, 1, -100, 3)) == std::vector<double>{0, 1, 2});
  CHECK(row0(slice(x, 1, 0, 10, 3)) == std::vector<double>{0, 3, 6, 9});
  CHECK(slice(x, 1, 7, 2).shape() == Shape{2, 0});
  CHECK(slice(x, 1, 12, 20).shape() == Shape{2, 0});
  CHECK(slice(x, 1, 0, 10, std::numeric_limits<int64_t>::max()).shape() == Shape{2, 1});
  const Tensor r = slice(x, 0, -1, std::numeric_limits<int64_t>::max());
  CHECK(r.shape() == Shape{1, 10});
  CHECK(r.at<double>({0, 0}) == 10);
  CHECK_THROWS_WITH(slice(x, 1, 0, 5, 0), Catch::Contains("step"));
  CHECK_THROWS_AS(slice(x, 1, 0, 5, -1), ValueError);
  CHECK_THROWS_AS(slice(x, 2, 0, 1), IndexError);
  CHECK_THROWS_AS(slice(scalar_tensor(1), 0, 0, 1), IndexError);
}

TEST_CASE("to_dtype converts values and gradients between float32 and float64", "[shape_ops]") {
  const Tensor x = from_vector(std::vector<float>{1.5f, -2.25f, 3}, {3}).requires_grad_();
  const Tensor y = to_dtype(x, DType::f64);
  CHECK(y.dtype() == DType::f64);
  CHECK(y.at<double>({1}) == -2.25);
  sum(y * from_vector(std::vector<double>{1, 2, 3}, {3})).backward();
  REQUIRE(x.grad().dtype() == DType::f32);
  CHECK(x.grad().at<float>({2}) == 3.0f);

  const Tensor d = from_vector(std::vector<double>{0.5, 4}, {2}).requires_grad_();
  sum(to_dtype(d, DType::f32) * 3.0).backward();
  CHECK(d.grad().at<double>({1}) == 3.0);
  sum(to_dtype(d, DType::f32) * 3.0).backward();
  CHECK(d.grad().at<double>({1}) == 6.0);

  const Tensor labels = from_vector(std::vector<int64_t>{3, -1}, {2});
  const Tensor f = to_dtype(labels, DType::f32);
  CHECK(f.at<float>({0}) == 3.0f);
  CHECK_FALSE(f.requires_grad());
  CHECK(to_dtype(x, DType::f32).impl() == x.impl());
  CHECK_THROWS_WITH(to_dtype(x, DType::i64), Catch::Contains("to_dtype") && Catch::Contains("int64"));
}

TEST_CASE("shape ops pass gradcheck", "[shape_ops][gradcheck]") {
  SECTION("reshape, flatten, unsqueeze, squeeze") {
    CHECK(check_unary({2, 3, 4}, [](const Tensor& x) { return reshape(x, {4, -1}); }));
    CHECK(check_unary({6}, [](const Tensor& x) { return reshape(x, {1, 2, 1, 3}); }));
    CHECK(check_unary({2, 3, 4, 5}, [](const Tensor& x) { return flatten(x, 1, -2); }));
    CHECK(check_unary({3, 1}, [](const Tensor& x) { return squeeze(unsqueeze(x, -1), 1); }));
    // reshape of a non-leaf: the gradient flows on to the op that produced it
    CHECK(check_unary({2, 3}, [](const Tensor& x) { return reshape(x * x, {3, 2}) * 2.0; }));
  }
  SECTION("permute, transpose, t") {
    CHECK(check_unary({2, 3, 4}, [](const Tensor& x) { return permute(x, {2, 0, 1}); }));
    CHECK(check_unary({2, 1, 3, 4}, [](const Tensor& x) { return permute(x, {-1, 1, 0, -2}); }));
    CHECK(check_unary({3, 5}, [](const Tensor& x) { return transpose(x, 0, -1); }));
    CHECK(check_unary({2, 3, 4}, [](const Tensor& x) { return transpose(x, -1, -3); }));
    CHECK(check_unary({3, 5}, [](const Tensor& x) { return t(x); }));
    CHECK(check_unary({4}, [](const Tensor& x) { return t(x); }));
  }
  SECTION("concat of three inputs") {
    Generator g(5);
    const Tensor a = randn({2, 3, 2}, g, DType::f64).requires_grad_(),
                 b = randn({2, 1, 2}, g, DType::f64).requires_grad_(),
                 c = randn({2, 4, 2}, g, DType::f64).requires_grad_();
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return concat(v, 1); }, {a, b, c}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return concat(v, -2) * concat(v, 1); }, {a, b.detach(), c}));
    CHECK(gradcheck([](const std::vector<Tensor>& v) { return concat(v, 0); },
                    {randn({1, 3}, g, DType::f64).requires_grad_(), randn({2, 3}, g, DType::f64).requires_grad_(),
                     randn({1, 3}, g, DType::f64).requires_grad_()}));
  }
  SECTION("slice") {
    CHECK(check_unary({3, 10}, [](const Tensor& x) { return slice(x, 1, -7, 10, 2); }));
    CHECK(check_unary({5, 4}, [](const Tensor& x) { return slice(x, -2, 1, -1); }));
    CHECK(check_unary({6, 1, 2}, [](const Tensor& x) { return slice(x, 0, -100, 100, 4); }));
    // overlapping slices of one input add up
    CHECK(check_unary({8}, [](const Tensor& x) { return slice(x, 0, 0, 6) * slice(x, 0, 2, 8); }));
  }
}

TEST_CASE("copy kernels give bit-identical results for 1 and 2 threads", "[shape_ops][threads]") {
  Generator g(6);
  Tensor x = randn({64, 48, 33}, g).requires_grad_();
  const Tensor w = randn({33, 64, 48}, g);
  const auto run = [&] {
    x.zero_grad();
    const Tensor p = permute(x, {2, 0, 1});
    const Tensor s = slice(x, -1, -32, 33, 2);
    const Tensor c = concat({x, x * 2.0}, 1);
    const Tensor d = to_dtype(x, DType::f64);
    sum(p * w).backward();
    sum(s * s).backward();
    sum(c).backward();
    sum(d).backward();
    return std::vector<Tensor>{p, s, c, d, x.grad().clone()};
  };
  const int before = get_num_threads();
  set_num_threads(1);
  const std::vector<Tensor> one = run();
  set_num_threads(2);
  const std::vector<Tensor> two = run();
  set_num_threads(before);
  for (std::size_t i = 0; i < one.size(); ++i) CHECK(bitwise_equal(one[i], two[i]));
}
