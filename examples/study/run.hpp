#pragma once
/// \file One run of the study: build the network, train and evaluate it epoch by epoch, save a
/// checkpoint and the run's record after every epoch, and resume exactly from the checkpoint.
#include <functional>
#include <string>

#include "examples/study/data.hpp"
#include "examples/study/records.hpp"
#include "framework/train/progress.hpp"

namespace tapenet::study {

/// Where a run keeps its files and how it reports.
struct RunContext {
  std::string directory;  ///< runs/<id>: checkpoint.h5 and run.json
  std::string title;      ///< progress-bar title before " epoch e/E" ("run 7/48 lenet5 shared_max n=5000 seed 1")
  train::ProgressOptions progress;
  std::function<void(const RunRecord&)> on_epoch;  ///< after each epoch is saved (may be null)
  std::function<bool()> should_stop;               ///< asked after every epoch; true ends the run there (may be null)
};

/// The checkpoint of a run in `directory`.
std::string checkpoint_path(const std::string& directory);
/// The record of a run in `directory` (run.json).
std::string record_path(const std::string& directory);

/// Trains `spec` with SGD (momentum config.momentum) and cross-entropy on its training subset and
/// evaluates on data.test (and, with config.train_eval_size, on the first training images) after
/// every epoch. After each epoch it saves checkpoint.h5 (model,
/// optimizer, loader position, default generator, and the record so far as user metadata), then
/// run.json. When checkpoint.h5 exists, the run continues from it: the result is bit-identical to
/// an uninterrupted run with the same thread count. Returns the record (finished unless
/// should_stop ended it). Throws what building, loading data, training and the checkpoint throw
/// (a checkpoint of another configuration is a ValueError naming the file).
RunRecord execute_run(const StudyConfig& config, const StudyData& data, const RunSpec& spec, const RunContext& context);

}  // namespace tapenet::study
