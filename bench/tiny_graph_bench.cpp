// Per-iteration cost of a tiny graph: three elementwise ops on 1-element tensors, forward and
// backward, y = (a * b + c) * a. Prints microseconds per iteration (best of several rounds).
#include <chrono>
#include <cstdio>

#include "framework/tapenet.hpp"

using namespace tapenet;

int main() {
  Tensor a = full({1}, 1.5).requires_grad_(), b = full({1}, -2.0).requires_grad_(), c = full({1}, 0.5).requires_grad_();
  constexpr int kIters = 20000, kRounds = 7;
  double best = 1e30;
  for (int round = 0; round < kRounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kIters; ++i) {
      Tensor y = (a * b + c) * a;
      y.backward();
    }
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, us / kIters);
  }
  // dy/da = 2ab + c accumulated over every iteration of every round.
  const double expected = (2 * 1.5 * -2.0 + 0.5) * kIters * kRounds;
  if (std::abs(a.grad().item() - expected) > 1e-3 * std::abs(expected)) {
    std::printf("wrong gradient %g (expected %g)\n", a.grad().item(), expected);
    return 1;
  }
  std::printf("tapenet tiny graph: %.2f us/iteration\n", best);
  return 0;
}
