// GEMM throughput at 1024^3 in float32: cblas_sgemm called directly with OpenBLAS's own threads (as
// many as tapenet's), the blas::gemm wrapper (OpenBLAS single-threaded, the product split over TBB),
// and matmul on Tensors (output allocation included, no tape). Prints GFLOP/s (best of several
// repetitions, taking turns) and each path's ratio to the direct call.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "framework/blas.hpp"
#include "framework/factories.hpp"
#include "framework/ops/matmul.hpp"
#include "framework/parallel.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

namespace {

constexpr int64_t kN = 1024;
constexpr int kRepetitions = 10;

double seconds_of(const std::function<void()>& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  Generator gen(0);
  const Tensor a = randn({kN, kN}, gen), b = randn({kN, kN}, gen);
  Tensor c = zeros({kN, kN});
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* pc = c.data<float>();
  const int n = static_cast<int>(kN);
  NoGradGuard no_grad;

  // The three paths take turns, so clock ramp-up and cache state favour none of them.
  const std::vector<std::function<void()>> paths = {
      [&] {
        // OpenBLAS threaded for this call only: tapenet keeps it single-threaded otherwise.
        openblas_set_num_threads(get_num_threads());
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, pa, n, pb, n, 0.0f, pc, n);
        openblas_set_num_threads(1);
      },
      [&] { blas::gemm(false, false, kN, kN, kN, 1.0f, pa, kN, pb, kN, 0.0f, pc, kN); },
      [&] { Tensor y = matmul(a, b); }};
  std::vector<double> best(paths.size(), 1e30);
  for (const auto& run : paths) run();  // warm-up
  for (int r = 0; r < kRepetitions; ++r)
    for (std::size_t i = 0; i < paths.size(); ++i) best[i] = std::min(best[i], seconds_of(paths[i]));
  const auto gflops = [](double s) { return 2.0 * kN * kN * kN / s * 1e-9; };
  const double direct = gflops(best[0]), wrapper = gflops(best[1]), tensor = gflops(best[2]);

  std::printf("sgemm %lld^3, %d threads, best of %d\n", static_cast<long long>(kN), get_num_threads(), kRepetitions);
  std::printf("  cblas_sgemm direct : %7.1f GFLOP/s\n", direct);
  std::printf("  blas::gemm         : %7.1f GFLOP/s  (ratio %.3f)\n", wrapper, wrapper / direct);
  std::printf("  matmul on Tensors  : %7.1f GFLOP/s  (ratio %.3f)\n", tensor, tensor / direct);
  return 0;
}
