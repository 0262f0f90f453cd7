#pragma once
/// \file Training checkpoints in HDF5: a model's parameters and buffers, an optimizer's state, a
/// scheduler's position and the training progress, in one crash-safe file (docs/CHECKPOINTS.md
/// describes the layout). Here in optim/ because it needs the model (framework/) and the
/// optimizer and scheduler (optim/); the data loader's position travels as plain integers, since
/// optim/ does not depend on datasets/.
///
///     save_checkpoint("run.h5", model, &opt, &sched, {.epoch = 3, .global_step = 1200});
///     CheckpointLoadResult r = load_checkpoint("run.h5", model, &opt, &sched);  // r.meta.epoch == 3
///
/// Threads: the file I/O is serialised process-wide (serial HDF5); the model, optimizer and
/// scheduler must not be used by another thread during the call.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/module.hpp"
#include "optim/lr_scheduler.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim {

/// The version of the layout this tapenet writes; load_checkpoint reads it and older ones.
inline constexpr int64_t kCheckpointFormatVersion = 1;

/// Where a data loader stands: datasets::LoaderState's epoch and batches already returned.
struct LoaderPosition {
  int64_t epoch = 0;
  int64_t position = 0;
  bool operator==(const LoaderPosition&) const = default;
};

/// Training progress saved next to the tensors.
struct CheckpointMeta {
  int64_t epoch = 0;
  int64_t global_step = 0;
  /// Generator states (Generator::state()) by name. save_checkpoint adds the default generator as
  /// "default" unless present; load_checkpoint restores the default generator from "default".
  std::map<std::string, std::string> generators;
  std::optional<LoaderPosition> loader;
  /// User metadata: the text of a JSON object.
  std::string user_json = "{}";
};

/// What load_checkpoint read, and the model keys a non-strict load skipped.
struct CheckpointLoadResult {
  CheckpointMeta meta;
  std::vector<std::string> missing_keys;     ///< in the model, not in the file
  std::vector<std::string> unexpected_keys;  ///< in the file, not in the model
};

/// Writes a checkpoint to `path` (crash-safe: a temporary file renamed over it). `optimizer` and
/// `scheduler` may be null (not saved). Throws ValueError when an optimizer parameter is not a
/// parameter of `model`, or `meta.user_json` is not a JSON object; IOError naming the file when
/// it cannot be written (the previous file is then untouched).
void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer = nullptr,
                     const LRScheduler* scheduler = nullptr, const CheckpointMeta& meta = {});

/// Loads a checkpoint into `model` and, when not null, `optimizer` and `scheduler`; restores the
/// default generator from meta "default" and returns the meta. The file is read and checked
/// completely before anything changes. With `strict`, missing and unexpected model keys are
/// errors; without it the keys on both sides are loaded and the others returned (optimizer state
/// of parameters not in the optimizer is then skipped). Throws, changing nothing:
/// - IOError naming the file: missing, not HDF5, truncated or corrupt, a temporary file of an
///   unfinished save, not a tapenet checkpoint, a newer format_version, an entry of the wrong type;
/// - ValueError naming the file and listing every problem at once: missing and unexpected keys,
///   shape and dtype mismatches (model and optimizer state), another optimizer or scheduler type,
///   other parameter groups, no optimizer or scheduler section when one is passed, invalid values.
CheckpointLoadResult load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer = nullptr,
                                     LRScheduler* scheduler = nullptr, bool strict = true);

}  // namespace tapenet::optim
