// LeNet-5 on Fashion-MNIST (or MNIST) with the C3 layer chosen on the command line: dense, the
// lenet5 connection table, a random table, grouped, shared sum/mean/max, depthwise-separable,
// BSConv-U or maxout. Prints per-epoch train/test loss and accuracy, time, images/s and page
// faults; --log appends the same figures to a CSV or JSON-lines file. --checkpoint saves model,
// optimizer, schedule and data order every --checkpoint-every epochs; --resume continues a run
// from such a file exactly where it stopped.
//
//   ./build/examples/lenet5_fashion_mnist --c3 lenet5_table --epochs 5
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "datasets/dataloader.hpp"
#include "datasets/mnist.hpp"
#include "datasets/tensor_dataset.hpp"
#include "examples/common/normalization.hpp"
#include "examples/common/training_loop.hpp"
#include "framework/tapenet.hpp"
#include "framework/train/metrics_log.hpp"
#include "layers/lenet5.hpp"
#include "optim/adam.hpp"
#include "optim/checkpoint.hpp"
#include "optim/cosine_annealing_lr.hpp"
#include "optim/sgd.hpp"

using namespace tapenet;

namespace {

struct Config {
  std::string c3 = "lenet5_table", activation = "relu", pooling = "max", optimizer = "sgd", schedule = "none";
  std::string dataset = "fashion-mnist", data, log, progress = "auto", checkpoint, resume;
  int checkpoint_every = 1;
  int epochs = 5, batch_size = 64, test_batch_size = 256, threads = 0;
  int64_t train_size = 0;
  double lr = 0.01, momentum = 0.9, weight_decay = 0;
  uint64_t seed = 0;
};

std::unique_ptr<optim::Optimizer> make_optimizer(const Config& c, const std::vector<Tensor>& params) {
  if (c.optimizer == "adam")
    return std::make_unique<optim::Adam>(params, optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<optim::SGD>(params,
                                      optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
}

std::shared_ptr<const datasets::Dataset> load(const Config& c, bool train) {
  if (c.dataset == "mnist") return std::make_shared<datasets::MNIST>(c.data, train);
  return std::make_shared<datasets::FashionMNIST>(c.data, train);
}

int run(const Config& c) {
  if (c.threads > 0) set_num_threads(c.threads);
  manual_seed(c.seed);
  std::shared_ptr<const datasets::Dataset> train = load(c, true);
  if (c.train_size > 0) train = datasets::Subset::take(train, c.train_size, c.seed);
  const auto test = load(c, false);
  const auto model = models::lenet5(models::LeNet5Options()
                                        .c3(models::parse_conv_variant(c.c3))
                                        .activation(models::parse_activation(c.activation))
                                        .pooling(models::parse_pooling(c.pooling))
                                        .table_seed(c.seed));
  const auto optimizer = make_optimizer(c, model->parameters());
  std::optional<optim::CosineAnnealingLR> schedule;
  if (c.schedule == "cosine") schedule.emplace(*optimizer, c.epochs);
  const auto normalize = examples::normalization(c.dataset);
  datasets::DataLoader train_loader(
      train, datasets::DataLoaderOptions(c.batch_size).shuffle(true).seed(c.seed).transform(normalize));
  datasets::DataLoader test_loader(test, datasets::DataLoaderOptions(c.test_batch_size).transform(normalize));
  std::optional<train::MetricsLog> log;
  if (!c.log.empty()) log.emplace(c.log);
  const std::map<std::string, train::ProgressMode> modes = {{"auto", train::ProgressMode::automatic},
                                                            {"bar", train::ProgressMode::bar},
                                                            {"log", train::ProgressMode::log},
                                                            {"off", train::ProgressMode::off}};
  const auto progress = train::ProgressOptions().mode(modes.at(c.progress));

  int first_epoch = 1;
  if (!c.resume.empty()) {
    const auto loaded = optim::load_checkpoint(c.resume, *model, optimizer.get(), schedule ? &*schedule : nullptr);
    first_epoch = static_cast<int>(loaded.meta.epoch) + 1;
    if (loaded.meta.loader) train_loader.set_state({loaded.meta.loader->epoch, loaded.meta.loader->position});
    std::printf("resumed from %s after epoch %d\n", c.resume.c_str(), first_epoch - 1);
  }
  std::printf("LeNet-5, C3 = %s: %lld parameters; %s: %lld train / %lld test images; %d thread(s)\n",
              c.c3.c_str(), static_cast<long long>(model->num_parameters()), c.dataset.c_str(),
              static_cast<long long>(train->size()), static_cast<long long>(test->size()), get_num_threads());
  for (int epoch = first_epoch; epoch <= c.epochs; ++epoch) {
    const double lr = optimizer->param_groups()[0].options.at("lr");
    const auto fit = examples::train_epoch(*model, train_loader, *optimizer, "epoch " + std::to_string(epoch), progress);
    const auto val = examples::evaluate(*model, test_loader);
    if (schedule) schedule->step();
    std::printf(
        "epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.2f s  %.0f img/s  %lld page faults  "
        "peak RSS %.0f MB\n",
        epoch, c.epochs, fit.loss, 100 * fit.accuracy, val.loss, 100 * val.accuracy, fit.seconds,
        fit.images_per_second(), static_cast<long long>(fit.usage.minor_faults),
        double(val.usage.peak_rss_bytes) / (1 << 20));
    std::fflush(stdout);
    if (log)
      log->append({{"c3", c.c3},
                   {"epoch", int64_t{epoch}},
                   {"lr", lr},
                   {"train_loss", fit.loss},
                   {"train_accuracy", fit.accuracy},
                   {"test_loss", val.loss},
                   {"test_accuracy", val.accuracy},
                   {"seconds", fit.seconds},
                   {"images_per_second", fit.images_per_second()},
                   {"minor_faults", fit.usage.minor_faults},
                   {"peak_rss_bytes", val.usage.peak_rss_bytes}});
    if (!c.checkpoint.empty() && (epoch % c.checkpoint_every == 0 || epoch == c.epochs)) {
      const auto at = train_loader.state();
      optim::CheckpointMeta meta;
      meta.epoch = epoch;
      meta.global_step = int64_t{epoch} * train_loader.size();
      meta.loader = optim::LoaderPosition{at.epoch, at.position};
      meta.user_json = "{\"c3\": \"" + c.c3 + "\"}";
      optim::save_checkpoint(c.checkpoint, *model, optimizer.get(), schedule ? &*schedule : nullptr, meta);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Train LeNet-5 on Fashion-MNIST with a selectable C3 layer");
  Config c;
  c.data = datasets::default_fashion_mnist_root();
  std::vector<std::string> variants;
  for (auto v : models::all_conv_variants()) variants.push_back(models::to_string(v));
  app.add_option("--c3", c.c3, "C3 variant")->capture_default_str()->check(CLI::IsMember(variants));
  app.add_option("--epochs", c.epochs, "training epochs")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--batch-size", c.batch_size, "mini-batch size")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--test-batch-size", c.test_batch_size, "evaluation batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lr", c.lr, "learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--momentum", c.momentum, "SGD momentum")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--weight-decay", c.weight_decay, "L2 penalty")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--optimizer", c.optimizer, "sgd or adam")->capture_default_str()->check(CLI::IsMember({"sgd", "adam"}));
  app.add_option("--schedule", c.schedule, "learning-rate schedule: none or cosine (over the epochs)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "cosine"}));
  app.add_option("--activation", c.activation, "relu or tanh")->capture_default_str()->check(CLI::IsMember({"relu", "tanh"}));
  app.add_option("--pooling", c.pooling, "max or avg")->capture_default_str()->check(CLI::IsMember({"max", "avg"}));
  app.add_option("--dataset", c.dataset, "fashion-mnist or mnist")
      ->capture_default_str()
      ->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data", c.data, "directory with the IDX files (default: $TAPENET_DATA or the Debian package's)")
      ->capture_default_str();
  app.add_option("--train-size", c.train_size, "train on a seeded random subset of this many images (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", c.seed, "seed of initialisation, data order and random tables")->capture_default_str();
  app.add_option("--threads", c.threads, "threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--log", c.log, "append per-epoch metrics to this .csv or .jsonl file");
  app.add_option("--progress", c.progress, "auto (bar on a terminal, lines on a pipe), bar, log or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "bar", "log", "off"}));
  app.add_option("--checkpoint", c.checkpoint, "save a checkpoint (HDF5) to this file");
  app.add_option("--checkpoint-every", c.checkpoint_every, "epochs between checkpoints (the last epoch always saves)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--resume", c.resume, "continue the run saved in this checkpoint (same command-line options)")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
