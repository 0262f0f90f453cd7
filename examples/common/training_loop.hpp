#pragma once
/// \file The epoch loop the example programs (and the study) share: one pass of training with a
/// progress display, one pass of evaluation, both reporting loss, accuracy, time and page faults.
#include <cstdint>
#include <string>

#include "datasets/dataloader.hpp"
#include "framework/module.hpp"
#include "framework/train/progress.hpp"
#include "framework/train/resource_usage.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::examples {

/// What one pass over a loader measured.
struct PassResult {
  double loss = 0;      ///< mean cross-entropy per image
  double accuracy = 0;  ///< top-1, a fraction in [0, 1]
  int64_t images = 0;
  double seconds = 0;
  train::ResourceUsage usage;  ///< the pass's page faults and CPU time; the process's peak RSS
  double images_per_second() const { return seconds > 0 ? double(images) / seconds : 0; }
};

/// Trains `model` (switched to train mode) for the rest of the loader's current epoch with
/// cross-entropy: zero_grad, forward, backward, step per batch. The progress display is titled
/// `title`. Throws what the model, loader or optimizer throw.
PassResult train_epoch(Module& model, datasets::DataLoader& loader, optim::Optimizer& optimizer,
                       const std::string& title, const train::ProgressOptions& progress);

/// Evaluates `model` (switched to eval mode, then back to train mode) over one epoch of `loader`
/// without recording gradients.
PassResult evaluate(Module& model, datasets::DataLoader& loader);

}  // namespace tapenet::examples
