// conv2d forward + backward (input, weight and bias gradients) at batch 64 in float32, best of several
// repetitions after a warm-up, for the layers of docs/PERFORMANCE.md. Prints one line per layer:
//   conv <name> <ms> ms <GFLOP/s> GFLOP/s
// (the format bench/conv.py parses). `--algorithms` also times the kernels with every algorithm and a
// range of chunk sizes, to check the choices plan_conv2d makes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "framework/factories.hpp"
#include "framework/kernels/conv2d.hpp"
#include "framework/ops/conv.hpp"
#include "framework/parallel.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

namespace {

constexpr int64_t kBatch = 64;
constexpr int kWarmup = 3;
constexpr int kRepetitions = 15;

struct Layer {
  const char* name;
  int64_t c_in, c_out, size, kernel, padding, groups;
};

const std::vector<Layer> kLayers = {
    {"6-16_14x14_k5", 6, 16, 14, 5, 0, 1},      {"3-32_32x32_k3_p1", 3, 32, 32, 3, 1, 1},
    {"64-64_16x16_k3_p1", 64, 64, 16, 3, 1, 1}, {"6-16_14x14_k5_g2", 6, 16, 14, 5, 0, 2},
    {"1-6_28x28_k5_p2", 1, 6, 28, 5, 2, 1},     {"32-32_16x16_k3_p1_dw", 32, 32, 16, 3, 1, 32},
};

double flops(const Layer& l) {
  const int64_t out = l.size + 2 * l.padding - l.kernel + 1;
  return 3.0 * 2.0 * kBatch * l.c_out * out * out * (l.c_in / l.groups) * l.kernel * l.kernel;  // y, gx, gW
}

// Best wall time of `run` in seconds.
double best_seconds(const std::function<void()>& run) {
  for (int i = 0; i < kWarmup; ++i) run();
  double best = 1e30;
  for (int i = 0; i < kRepetitions; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void report(const std::string& name, const Layer& l, double seconds) {
  std::printf("conv %-28s %8.3f ms %7.1f GFLOP/s\n", name.c_str(), seconds * 1e3, flops(l) / seconds * 1e-9);
}

// Forward and backward through the op and the tape, as in training.
double time_op(const Layer& l) {
  Generator gen(0);
  const Tensor x = randn({kBatch, l.c_in, l.size, l.size}, gen).requires_grad_();
  const Tensor w = randn({l.c_out, l.c_in / l.groups, l.kernel, l.kernel}, gen).requires_grad_();
  const Tensor b = randn({l.c_out}, gen).requires_grad_();
  const int64_t out = l.size + 2 * l.padding - l.kernel + 1;
  const Tensor gy = randn({kBatch, l.c_out, out, out}, gen);
  return best_seconds([&] {
    TapeScope scope;
    const Tensor y = conv2d(x, w, b, {1, 1}, {l.padding, l.padding}, {1, 1}, l.groups);
    y.backward(gy);
  });
}

// The kernels alone with a given algorithm, chunk and run length.
double time_kernels(const Layer& l, kernels::Conv2dAlgorithm algorithm, int64_t chunk, int64_t gemm_images) {
  Generator gen(0);
  const kernels::ConvGeometry g{l.size, l.size, l.kernel, l.kernel, 1, 1, l.padding, l.padding, 1, 1};
  kernels::Conv2dPlan plan = kernels::plan_conv2d(kBatch, l.c_in, l.c_out, l.groups, g);
  plan.algorithm = algorithm;
  plan.chunk = chunk;
  plan.gemm_images = gemm_images;
  const Tensor x = randn({kBatch, l.c_in, l.size, l.size}, gen);
  const Tensor w = randn({l.c_out, l.c_in / l.groups, l.kernel, l.kernel}, gen);
  const Tensor b = randn({l.c_out}, gen);
  Tensor y = Tensor::empty({kBatch, l.c_out, g.out_h(), g.out_w()});
  Tensor gx = zeros(x.shape()), gw = zeros(w.shape()), gb = zeros(b.shape());
  return best_seconds([&] {
    const Tensor columns = kernels::conv2d_forward(x, w, b, y, plan, true);
    kernels::conv2d_backward(y, x, w, columns, &gx, &gw, &gb, plan);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const bool algorithms = argc > 1 && std::string(argv[1]) == "--algorithms";
  set_num_threads(2);
  std::printf("conv2d forward+backward, batch %lld, float32, %d threads, best of %d\n", static_cast<long long>(kBatch),
              get_num_threads(), kRepetitions);
  for (const Layer& l : kLayers) report(l.name, l, time_op(l));
  if (!algorithms) return 0;
  for (const Layer& l : kLayers) {
    std::string name(l.name);
    if (l.c_in == l.groups) report(name + "/direct", l, time_kernels(l, kernels::Conv2dAlgorithm::direct, 1, 1));
    for (int64_t chunk : {1, 4, 8, 64})
      for (int64_t images : {1, 2, 4, 8}) {
        if (images > chunk) continue;
        report(name + "/gemm/chunk" + std::to_string(chunk) + "/run" + std::to_string(images), l,
               time_kernels(l, kernels::Conv2dAlgorithm::gemm, chunk, images));
      }
  }
  return 0;
}
