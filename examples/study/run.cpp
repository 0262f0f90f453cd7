#include "examples/study/run.hpp"

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>

#include "datasets/dataloader.hpp"
#include "datasets/tensor_dataset.hpp"
#include "examples/common/training_loop.hpp"
#include "examples/study/json_file.hpp"
#include "examples/study/network.hpp"
#include "framework/errors.hpp"
#include "optim/checkpoint.hpp"
#include "optim/sgd.hpp"

namespace tapenet::study {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Restores model, optimizer, generator and loader from the run's checkpoint; returns the epochs
/// recorded in it.
std::vector<EpochRecord> resume(const std::string& path, const RunRecord& fresh, Module& model,
                                optim::Optimizer& optimizer, datasets::DataLoader& loader) {
  const auto loaded = optim::load_checkpoint(path, model, &optimizer);
  RunRecord saved;
  try {
    saved = run_record_from_json(Json::parse(loaded.meta.user_json));
  } catch (const std::exception& e) {
    throw ValueError(path + ": the checkpoint holds no study record (" + e.what() + ")");
  }
  if (!(saved.spec == fresh.spec) || saved.parameters != fresh.parameters)
    throw ValueError(path + ": the checkpoint belongs to another run (" + saved.spec.id + ", " +
                     std::to_string(saved.parameters) + " parameters)");
  if (loaded.meta.loader) loader.set_state({loaded.meta.loader->epoch, loaded.meta.loader->position});
  return saved.epochs;
}

}  // namespace

std::string checkpoint_path(const std::string& directory) { return directory + "/checkpoint.h5"; }
std::string record_path(const std::string& directory) { return directory + "/run.json"; }

RunRecord execute_run(const StudyConfig& config, const StudyData& data, const RunSpec& spec,
                      const RunContext& context) {
  const NetworkConfig& network = network_config(config, spec.network);
  const BuiltNetwork built = build_network(config, network, spec.variant, spec.seed, data.train->image_shape());
  optim::SGD optimizer(built.model->parameters(), optim::SGDOptions(spec.lr).momentum(config.momentum));
  const auto train_set = training_subset(data, spec.train_size, spec.seed);
  datasets::DataLoader train_loader(
      train_set,
      datasets::DataLoaderOptions(config.batch_size).shuffle(true).seed(spec.seed).transform(data.normalize));
  datasets::DataLoader test_loader(data.test,
                                   datasets::DataLoaderOptions(config.test_batch_size).transform(data.normalize));
  std::optional<datasets::DataLoader> train_eval_loader;
  if (config.train_eval_size > 0)
    train_eval_loader.emplace(
        datasets::Subset::take(train_set, std::min(config.train_eval_size, spec.train_size)),
        datasets::DataLoaderOptions(config.test_batch_size).transform(data.normalize));
  RunRecord record{spec, built.parameters, built.swapped_parameters, built.macs, {}};
  std::filesystem::create_directories(context.directory);
  const std::string checkpoint = checkpoint_path(context.directory);
  if (std::filesystem::exists(checkpoint))
    record.epochs = resume(checkpoint, record, *built.model, optimizer, train_loader);

  while (!record.finished()) {
    const int epoch = static_cast<int>(record.epochs.size()) + 1;
    const auto start = std::chrono::steady_clock::now();
    const auto fit = examples::train_epoch(
        *built.model, train_loader, optimizer,
        context.title + " epoch " + std::to_string(epoch) + "/" + std::to_string(spec.epochs), context.progress);
    const auto test = examples::evaluate(*built.model, test_loader);
    const auto train_eval = train_eval_loader ? examples::evaluate(*built.model, *train_eval_loader)
                                              : examples::PassResult{kNaN, kNaN, 0, 0, {}};
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    record.epochs.push_back({epoch, fit.loss, fit.accuracy, test.loss, test.accuracy, train_eval.loss,
                             train_eval.accuracy, fit.seconds, seconds, test.usage.peak_rss_bytes});
    const auto at = train_loader.state();
    optim::CheckpointMeta meta;
    meta.epoch = epoch;
    meta.global_step = int64_t{epoch} * train_loader.size();
    meta.loader = optim::LoaderPosition{at.epoch, at.position};
    meta.user_json = to_json(record).dump();
    optim::save_checkpoint(checkpoint, *built.model, &optimizer, nullptr, meta);
    write_json_file(record_path(context.directory), to_json(record));
    if (context.on_epoch) context.on_epoch(record);
    if (context.should_stop && context.should_stop()) break;
  }
  return record;
}

}  // namespace tapenet::study
