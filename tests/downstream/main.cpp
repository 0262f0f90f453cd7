// Builds against the installed tapenet and checks one gradient: d/dw sum((x @ w)^2) = 2 x^T (x @ w).
#include <framework/tapenet.hpp>

#include <cstdio>

int main() {
  using namespace tapenet;
  Tensor x = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor w = from_vector(std::vector<float>{1, 0, 0, 1}, {2, 2}).requires_grad_();
  sum(pow(matmul(x, w), 2)).backward();
  // x^T x = [[10, 14], [14, 20]], doubled.
  const Tensor expected = from_vector(std::vector<float>{20, 28, 28, 40}, {2, 2});
  if (!allclose(w.grad(), expected)) {
    std::printf("wrong gradient: %s\n", w.grad().to_string().c_str());
    return 1;
  }
  std::printf("downstream ok: %s\n", w.grad().to_string().c_str());
  return 0;
}
