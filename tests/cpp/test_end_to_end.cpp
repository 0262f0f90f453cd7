#include <catch2/catch.hpp>

#include "framework/tapenet.hpp"

using namespace tapenet;

// Three Gaussian blobs in 4-D; a 4-16-3 MLP trained by plain SGD must learn them.
TEST_CASE("a small MLP's loss falls and it separates three blobs", "[end_to_end]") {
  Generator g(0);
  const int64_t n = 240, classes = 3;
  const Tensor centers = randn({classes, 4}, g) * 3.0;
  std::vector<int64_t> label_values(n);
  for (int64_t i = 0; i < n; ++i) label_values[i] = i % classes;
  const Tensor labels = from_vector(label_values, {n});
  Tensor x = randn({n, 4}, g);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 4; ++j) x.at<float>({i, j}) += centers.at<float>({label_values[i], j});

  Tensor w1 = (randn({4, 16}, g) * 0.5).requires_grad_(), b1 = zeros({16}).requires_grad_();
  Tensor w2 = (randn({16, classes}, g) * 0.5).requires_grad_(), b2 = zeros({classes}).requires_grad_();
  const auto forward = [&] { return matmul(relu(matmul(x, w1) + b1), w2) + b2; };
  const double first = cross_entropy(forward(), labels).item();
  double last = first;
  for (int step = 0; step < 200; ++step) {
    Tensor loss = cross_entropy(forward(), labels);
    loss.backward();
    last = loss.item();
    for (Tensor* p : {&w1, &b1, &w2, &b2}) {
      float* w = p->data<float>();
      const float* gr = p->grad().data<float>();
      for (int64_t i = 0; i < p->numel(); ++i) w[i] -= 0.1f * gr[i];
      p->zero_grad();
    }
  }
  CHECK(last < 0.25 * first);
  NoGradGuard no_grad;
  const Tensor predicted = argmax(forward(), 1);
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) correct += predicted.at<int64_t>({i}) == label_values[i];
  CHECK(correct >= n * 9 / 10);
}
