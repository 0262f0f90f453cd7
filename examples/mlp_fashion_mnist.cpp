// A two-layer perceptron on Fashion-MNIST, written against the framework layer alone (tensors,
// ops, the tape): 784 -> hidden -> 10, ReLU, cross-entropy, plain SGD. Prints the running loss
// and, after each epoch, the test loss and accuracy.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "datasets/mnist.hpp"
#include "framework/tapenet.hpp"

using namespace tapenet;

namespace {

struct Mlp {
  Tensor w1, b1, w2, b2;

  Mlp(int64_t in, int64_t hidden, int64_t out, Generator& gen) {
    // PyTorch's nn.Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
    const double k1 = 1 / std::sqrt(double(in)), k2 = 1 / std::sqrt(double(hidden));
    w1 = uniform({in, hidden}, -k1, k1, gen).requires_grad_();
    b1 = uniform({hidden}, -k1, k1, gen).requires_grad_();
    w2 = uniform({hidden, out}, -k2, k2, gen).requires_grad_();
    b2 = uniform({out}, -k2, k2, gen).requires_grad_();
  }

  Tensor forward(const Tensor& images) const {
    const Tensor x = flatten(images, 1);
    return matmul(relu(matmul(x, w1) + b1), w2) + b2;
  }

  void sgd_step(double lr) {
    for (Tensor* p : {&w1, &b1, &w2, &b2}) {
      float* w = p->data<float>();
      const float* g = p->grad().data<float>();
      for (int64_t i = 0; i < p->numel(); ++i) w[i] -= static_cast<float>(lr) * g[i];
      p->zero_grad();
    }
  }
};

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> v(end - begin);
  std::iota(v.begin(), v.end(), begin);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Train a 2-layer MLP on Fashion-MNIST with tapenet");
  int epochs = 1, batch_size = 64, hidden = 128, threads = 0;
  double lr = 0.1;
  uint64_t seed = 0;
  std::string root = datasets::default_fashion_mnist_root();
  app.add_option("--epochs", epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--batch-size", batch_size, "mini-batch size")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden, "hidden units")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "SGD learning rate")->capture_default_str();
  app.add_option("--seed", seed, "seed of initialisation and shuffling")->capture_default_str();
  app.add_option("--threads", threads, "threads (0: all cores)")->capture_default_str();
  app.add_option("--data", root, "directory with the IDX files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (threads > 0) set_num_threads(threads);
    const datasets::MnistDataset train(root, datasets::Split::train), test(root, datasets::Split::test);
    std::printf("Fashion-MNIST: %lld train, %lld test images from %s; %d thread(s)\n",
                static_cast<long long>(train.size()), static_cast<long long>(test.size()), root.c_str(),
                get_num_threads());
    Generator gen(seed);
    Mlp model(train.rows() * train.cols(), hidden, 10, gen);
    std::vector<int64_t> order = range(0, train.size());
    Tensor images, labels;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const auto start = std::chrono::steady_clock::now();
      std::shuffle(order.begin(), order.end(), std::mt19937_64(gen.next_u64()));
      double running = 0;
      int64_t seen = 0;
      for (int64_t b = 0; b < train.size(); b += batch_size) {
        const int64_t e = std::min<int64_t>(b + batch_size, train.size());
        train.batch({order.begin() + b, order.begin() + e}, images, labels);
        Tensor loss = cross_entropy(model.forward(images), labels);
        loss.backward();
        model.sgd_step(lr);
        running += loss.item() * double(e - b);
        seen += e - b;
        if ((b / batch_size) % 200 == 199)
          std::printf("  epoch %d  [%5lld/%lld]  loss %.4f\n", epoch, static_cast<long long>(seen),
                      static_cast<long long>(train.size()), running / double(seen));
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      NoGradGuard no_grad;
      double test_loss = 0;
      int64_t correct = 0;
      for (int64_t b = 0; b < test.size(); b += 1000) {
        const int64_t e = std::min<int64_t>(b + 1000, test.size());
        test.batch(range(b, e), images, labels);
        const Tensor logits = model.forward(images);
        test_loss += cross_entropy(logits, labels, Reduction::sum).item();
        const Tensor predicted = argmax(logits, 1);
        for (int64_t i = 0; i < e - b; ++i) correct += predicted.data<int64_t>()[i] == labels.data<int64_t>()[i];
      }
      std::printf("epoch %d: train loss %.4f  test loss %.4f  test accuracy %.2f%%  (%.1f s, %.0f images/s)\n",
                  epoch, running / double(seen), test_loss / double(test.size()),
                  100.0 * double(correct) / double(test.size()), seconds, double(train.size()) / seconds);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
