// A two-layer perceptron on Fashion-MNIST, written against the framework layer alone (tensors,
// ops, the tape): 784 -> hidden -> 10, ReLU, cross-entropy, plain SGD. Prints the running loss
// and, after each epoch, the test loss and accuracy.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "datasets/dataloader.hpp"
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
    const auto train = std::make_shared<datasets::FashionMNIST>(root, true);
    const auto test = std::make_shared<datasets::FashionMNIST>(root, false);
    std::printf("Fashion-MNIST: %lld train, %lld test images from %s; %d thread(s)\n",
                static_cast<long long>(train->size()), static_cast<long long>(test->size()), root.c_str(),
                get_num_threads());
    Generator gen(seed);
    Mlp model(train->image_shape().numel(), hidden, 10, gen);
    datasets::DataLoader train_loader(train, datasets::DataLoaderOptions(batch_size).shuffle(true).seed(seed));
    datasets::DataLoader test_loader(test, datasets::DataLoaderOptions(1000));
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const auto start = std::chrono::steady_clock::now();
      double running = 0;
      int64_t seen = 0, step = 0;
      for (auto& [images, labels] : train_loader) {
        Tensor loss = cross_entropy(model.forward(images), labels);
        loss.backward();
        model.sgd_step(lr);
        const int64_t n = labels.numel();
        running += loss.item() * double(n);
        seen += n;
        if (++step % 200 == 0)
          std::printf("  epoch %d  [%5lld/%lld]  loss %.4f\n", epoch, static_cast<long long>(seen),
                      static_cast<long long>(train->size()), running / double(seen));
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      NoGradGuard no_grad;
      double test_loss = 0;
      int64_t correct = 0;
      for (auto& [images, labels] : test_loader) {
        const Tensor logits = model.forward(images);
        test_loss += cross_entropy(logits, labels, Reduction::sum).item();
        const Tensor predicted = argmax(logits, 1);
        for (int64_t i = 0; i < labels.numel(); ++i)
          correct += predicted.data<int64_t>()[i] == labels.data<int64_t>()[i];
      }
      std::printf("epoch %d: train loss %.4f  test loss %.4f  test accuracy %.2f%%  (%.1f s, %.0f images/s)\n",
                  epoch, running / double(seen), test_loss / double(test->size()),
                  100.0 * double(correct) / double(test->size()), seconds, double(train->size()) / seconds);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
