#include <catch2/catch.hpp>

#include <sstream>

#include "framework/factories.hpp"
#include "framework/parallel.hpp"

using namespace tapenet;

TEST_CASE("factories fill shapes and dtypes", "[tensor]") {
  const Tensor z = zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.numel() == 6);
  CHECK(z.dtype() == DType::f32);
  CHECK(z.at<float>({1, 2}) == 0.0f);
  CHECK(ones({4}, DType::f64).at<double>({3}) == 1.0);
  CHECK(full({2}, 2.5).at<float>({-1}) == 2.5f);
  const Tensor a = arange(1, 2, 0.25, DType::f64);
  REQUIRE(a.shape() == Shape{4});
  CHECK(a.at<double>({3}) == 1.75);
  CHECK(arange(5, DType::i64).at<int64_t>({4}) == 4);
  CHECK_THROWS_AS(arange(0, 1, 0), ValueError);
  CHECK_THROWS_AS(zeros({2, -1}), ValueError);
  CHECK(scalar_tensor(3).dim() == 0);
  CHECK(scalar_tensor(3).item() == 3.0);
}

TEST_CASE("element access checks indices and dtypes", "[tensor]") {
  Tensor t = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(t.at<float>({1, 0}) == 4.0f);
  t.at<float>({0, -1}) = 9;
  CHECK(t.data<float>()[2] == 9.0f);
  CHECK_THROWS_WITH(t.at<float>({2, 0}), Catch::Contains("out of bounds for dimension 0 with size 2"));
  CHECK_THROWS_AS(t.at<float>({0}), IndexError);
  CHECK_THROWS_AS(t.at<double>({0, 0}), ValueError);
  CHECK_THROWS_AS(t.item(), ValueError);
  CHECK_THROWS_AS(from_vector(std::vector<float>{1, 2}, {3}), ValueError);
  CHECK_THROWS_AS(Tensor().shape(), ValueError);
}

TEST_CASE("clone deep-copies, copies of a handle share data, detach shares data", "[tensor]") {
  Tensor a = ones({3});
  Tensor shared = a;
  Tensor deep = a.clone();
  Tensor det = a.detach();
  a.at<float>({0}) = 7;
  CHECK(shared.at<float>({0}) == 7.0f);
  CHECK(det.at<float>({0}) == 7.0f);
  CHECK(deep.at<float>({0}) == 1.0f);
}

TEST_CASE("seeded generators repeat; the default generator follows manual_seed", "[tensor][random]") {
  Generator g1(42), g2(42);
  const Tensor a = randn({100}, g1), b = randn({100}, g2);
  CHECK(allclose(a, b, 0, 0));
  manual_seed(7);
  const Tensor c = rand({50}, DType::f64);
  manual_seed(7);
  CHECK(allclose(c, rand({50}, DType::f64), 0, 0));
  Generator g(3);
  const Tensor u = uniform({10000}, -2, 3, g, DType::f64);
  double lo = 1e9, hi = -1e9, mean = 0;
  for (int64_t i = 0; i < u.numel(); ++i) {
    const double v = u.data<double>()[i];
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    mean += v / double(u.numel());
  }
  CHECK(lo >= -2);
  CHECK(hi < 3);
  CHECK(mean == Approx(0.5).margin(0.05));
  const Tensor n = randn({20000}, g, DType::f64);
  double m = 0, sq = 0;
  for (int64_t i = 0; i < n.numel(); ++i) {
    m += n.data<double>()[i];
    sq += n.data<double>()[i] * n.data<double>()[i];
  }
  m /= double(n.numel());
  CHECK(m == Approx(0).margin(0.03));
  CHECK(sq / double(n.numel()) - m * m == Approx(1).margin(0.05));
}

TEST_CASE("generator state round-trips through text", "[random]") {
  Generator g(11);
  g.normal();  // leaves a spare normal behind
  const std::string state = g.state();
  const double next = g.normal(), after = g.uniform();
  Generator h;
  h.set_state(state);
  CHECK(h.normal() == next);
  CHECK(h.uniform() == after);
  CHECK_THROWS_AS(h.set_state("garbage"), ValueError);
}

TEST_CASE("allclose compares with rtol and atol", "[tensor]") {
  const Tensor a = from_vector(std::vector<double>{1.0, 2.0}, {2});
  CHECK(allclose(a, from_vector(std::vector<double>{1.0 + 1e-9, 2.0}, {2})));
  CHECK_FALSE(allclose(a, from_vector(std::vector<double>{1.1, 2.0}, {2})));
  CHECK_FALSE(allclose(a, from_vector(std::vector<double>{1.0, 2.0, 3.0}, {3})));
}

TEST_CASE("printing follows PyTorch's format", "[tensor][print]") {
  // Expected strings are what torch 1.13 prints for the same tensors.
  CHECK(from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2}).to_string() == "tensor([[1., 2.],\n        [3., 4.]])");
  Tensor d = from_vector(std::vector<double>{1.5, -2.25, 3, 4}, {2, 2}).requires_grad_();
  CHECK(d.to_string() ==
        "tensor([[ 1.5000, -2.2500],\n        [ 3.0000,  4.0000]], dtype=torch.float64, requires_grad=True)");
  CHECK(scalar_tensor(3).to_string() == "tensor(3.)");
  CHECK(from_vector(std::vector<float>{1e-5f, 1}, {2}).to_string() == "tensor([1.0000e-05, 1.0000e+00])");
  CHECK(arange(12).to_string() ==
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.])");
  std::ostringstream os;
  os << from_vector(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 2, 3});
  CHECK(os.str() ==
        "tensor([[[ 0.,  1.,  2.],\n         [ 3.,  4.,  5.]],\n\n        [[ 6.,  7.,  8.],\n         [ 9., 10., 11.]]])");
  CHECK(zeros({0, 3}).to_string() == "tensor([], size=(0, 3))");
  CHECK(from_vector(std::vector<int64_t>{3, -1}, {2}).to_string() == "tensor([ 3, -1])");
  CHECK(arange(2000).to_string().find("...") != std::string::npos);
}

TEST_CASE("set_num_threads validates and reports", "[parallel]") {
  const int before = get_num_threads();
  set_num_threads(1);
  CHECK(get_num_threads() == 1);
  int64_t covered = 0;
  parallel_for(0, 1000, 10, [&](int64_t b, int64_t e) { covered += e - b; });
  CHECK(covered == 1000);
  set_num_threads(before);
  CHECK_THROWS_AS(set_num_threads(0), ValueError);
}

TEST_CASE("parallel_for covers a range exactly once across threads", "[parallel]") {
  std::vector<int> hits(100000, 0);
  parallel_for(0, 100000, 1000, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[i];
  });
  CHECK(std::count(hits.begin(), hits.end(), 1) == 100000);
}

TEST_CASE("the caching allocator reuses same-sized blocks", "[storage]") {
  { Tensor warm = zeros({12345}); }
  const AllocatorStats before = allocator_stats();
  for (int i = 0; i < 10; ++i) Tensor t = zeros({12345});
  const AllocatorStats after = allocator_stats();
  CHECK(after.system_allocations == before.system_allocations);
  CHECK(after.cache_hits >= before.cache_hits + 10);
}
