#include "examples/common/training_loop.hpp"

#include <chrono>

#include "framework/ops/loss.hpp"
#include "framework/tape.hpp"
#include "framework/train/metrics.hpp"

namespace tapenet::examples {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PassResult train_epoch(Module& model, datasets::DataLoader& loader, optim::Optimizer& optimizer,
                       const std::string& title, const train::ProgressOptions& progress) {
  model.train();
  const auto usage = train::resource_usage();
  const auto start = std::chrono::steady_clock::now();
  train::ProgressBar bar(title, loader.size() - loader.state().position, progress);
  train::RunningMean loss;
  train::Accuracy accuracy;
  int64_t batches = 0;
  for (auto& [images, labels] : loader) {
    optimizer.zero_grad();
    const Tensor logits = model(images);
    Tensor batch_loss = cross_entropy(logits, labels);
    batch_loss.backward();
    optimizer.step();
    loss.update(batch_loss.item(), labels.numel());
    accuracy.update(logits, labels);
    bar.update(++batches, accuracy.total(), loss.mean(), accuracy.value());
  }
  bar.finish();
  return {loss.mean(), accuracy.value(), accuracy.total(), seconds_since(start), train::resource_usage() - usage};
}

PassResult evaluate(Module& model, datasets::DataLoader& loader) {
  model.eval();
  const auto usage = train::resource_usage();
  const auto start = std::chrono::steady_clock::now();
  NoGradGuard no_grad;
  train::RunningMean loss;
  train::Accuracy accuracy;
  for (auto& [images, labels] : loader) {
    const Tensor logits = model(images);
    loss.update(cross_entropy(logits, labels).item(), labels.numel());
    accuracy.update(logits, labels);
  }
  model.train();
  return {loss.mean(), accuracy.value(), accuracy.total(), seconds_since(start), train::resource_usage() - usage};
}

}  // namespace tapenet::examples
