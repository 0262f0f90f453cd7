// LeNet-5's C3 (batch 64, 6 -> 16 maps, 14x14, 5x5 kernel) in float32, forward + backward (input,
// weight and bias gradients) through the ops and the tape, 2 threads: the dense conv2d against
// connection_conv2d with the LeNet-5 table (60 of 96 connections), a random table with the same 60
// connections, the grouped table (g = 2, 48 connections) and the full table (96). The variants take
// turns; each reports the best single iteration of many after a warm-up, and its ratio to dense.
// Prints one line per variant:
//   <name> <connections> <forward ms> <forward+backward ms> <ratio to dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "framework/factories.hpp"
#include "framework/ops/connection_conv.hpp"
#include "framework/ops/conv.hpp"
#include "framework/parallel.hpp"
#include "framework/tape.hpp"

using namespace tapenet;

namespace {

constexpr int64_t kBatch = 64, kIn = 6, kOut = 16, kSize = 14, kKernel = 5;
constexpr int kWarmup = 20;
constexpr int kRounds = 40;    // rounds of taking turns
constexpr int kPerRound = 10;  // iterations of one variant per round

// 60 connections at random: a seeded fan-in-4 table (64) with one input dropped from outputs 0..3.
ConnectionTable random_60() {
  const ConnectionTable base = ConnectionTable::random(kIn, kOut, 4, 2026);
  std::vector<std::vector<bool>> rows(kOut, std::vector<bool>(kIn));
  for (int64_t o = 0; o < kOut; ++o)
    for (int64_t i = 0; i < kIn; ++i) rows[o][i] = base.connected(o, i);
  for (int64_t o = 0; o < 4; ++o) rows[o][base.inputs_of(o).front()] = false;
  return ConnectionTable(rows);
}

struct Variant {
  std::string name;
  int64_t connections;
  std::function<Tensor()> forward;
  double best_forward = 1e30, best_step = 1e30;
};

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  set_num_threads(2);
  Generator gen(0);
  const Tensor x = randn({kBatch, kIn, kSize, kSize}, gen).requires_grad_();
  const Tensor w = randn({kOut, kIn, kKernel, kKernel}, gen).requires_grad_();
  const Tensor b = randn({kOut}, gen).requires_grad_();
  const int64_t out = kSize - kKernel + 1;
  const Tensor gy = randn({kBatch, kOut, out, out}, gen);

  std::vector<Variant> variants;
  variants.push_back({"dense conv2d", kIn * kOut, [&] { return conv2d(x, w, b); }});
  const auto add = [&](const char* name, const ConnectionTable& table) {
    variants.push_back({name, table.connections(), [&, table] { return connection_conv2d(x, w, b, table); }});
  };
  add("connection lenet5", ConnectionTable::lenet5());
  add("connection random-60", random_60());
  add("connection grouped g=2", ConnectionTable::grouped(kIn, kOut, 2));
  add("connection full", ConnectionTable::full(kIn, kOut));

  const auto step = [&](Variant& v, bool timed) {
    TapeScope scope;
    auto start = std::chrono::steady_clock::now();
    const Tensor y = v.forward();
    const double forward = ms_since(start);
    y.backward(gy);
    const double total = ms_since(start);
    if (!timed) return;
    v.best_forward = std::min(v.best_forward, forward);
    v.best_step = std::min(v.best_step, total);
  };
  for (Variant& v : variants)
    for (int i = 0; i < kWarmup; ++i) step(v, false);
  for (int r = 0; r < kRounds; ++r)
    for (Variant& v : variants)
      for (int i = 0; i < kPerRound; ++i) step(v, true);

  std::printf("LeNet-5 C3: batch %lld, %lld -> %lld maps, %lldx%lld, k%lld, float32, %d threads, best of %d\n",
              static_cast<long long>(kBatch), static_cast<long long>(kIn), static_cast<long long>(kOut),
              static_cast<long long>(kSize), static_cast<long long>(kSize), static_cast<long long>(kKernel),
              get_num_threads(), kRounds * kPerRound);
  std::printf("%-24s %11s %10s %14s %9s\n", "variant", "connections", "fwd ms", "fwd+bwd ms", "ratio");
  const double dense = variants.front().best_step;
  for (const Variant& v : variants)
    std::printf("%-24s %11lld %10.3f %14.3f %9.3f\n", v.name.c_str(), static_cast<long long>(v.connections),
                v.best_forward, v.best_step, v.best_step / dense);
  return 0;
}
