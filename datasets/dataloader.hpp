#pragma once
/// \file DataLoader: mini-batches of a Dataset in a reproducible order, assembled in parallel and
/// prefetched on a background thread.
///
///     DataLoader loader(dataset, DataLoaderOptions(64).shuffle(true).seed(1).transform(t));
///     for (int e = 0; e < epochs; ++e)
///       for (auto& [images, labels] : loader) { ... }   // one epoch; the epoch counter advances
///
/// Reproducibility: the order of epoch e is a pure function of (seed, e), and the random transform
/// of the sample at position i of that order a pure function of (seed, e, i), so batches are
/// bit-identical for any thread count and any prefetch depth. `state()` / `set_state()` save and
/// restore (epoch, position) so a checkpoint can resume the data order mid-epoch.
///
/// Threads: samples of a batch are assembled with tapenet::parallel_for; with prefetch > 0 a
/// background std::thread assembles up to `prefetch` batches ahead while the caller computes. A
/// DataLoader has one consumer: its members are not to be called concurrently.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "datasets/dataset.hpp"
#include "datasets/transforms.hpp"
#include "framework/options.hpp"

namespace tapenet::datasets {

struct DataLoaderOptions {
  DataLoaderOptions(int64_t batch_size = 1) : batch_size_(batch_size) {}  // NOLINT: implicit, like PyTorch's
  TAPENET_OPTION(DataLoaderOptions, int64_t, batch_size, 1)
  /// Draw a new random order each epoch (otherwise the data set's order).
  TAPENET_OPTION(DataLoaderOptions, bool, shuffle, false)
  /// Seed of the order and of the random transforms.
  TAPENET_OPTION(DataLoaderOptions, uint64_t, seed, 0)
  /// Drop the last, smaller batch of an epoch.
  TAPENET_OPTION(DataLoaderOptions, bool, drop_last, false)
  /// Applied to every sample (null: none).
  TAPENET_OPTION(DataLoaderOptions, TransformPtr, transform, nullptr)
  /// Batches assembled ahead on a background thread; 0 assembles each batch in next().
  TAPENET_OPTION(DataLoaderOptions, int64_t, prefetch, 2)
};

/// Where a loader stands: the epoch and the number of batches of it already returned.
struct LoaderState {
  int64_t epoch = 0;
  int64_t position = 0;
  bool operator==(const LoaderState&) const = default;
};

class DataLoader {
 public:
  /// Throws ValueError on a null data set, batch_size < 1, prefetch < 0, or a transform that does not
  /// fit the data set's images.
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
  /// Stops the prefetch thread (waiting for the batch it is assembling, never for the consumer).
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  /// Batches per epoch: ceil(n / batch_size), or floor with drop_last.
  int64_t size() const;
  /// The next batch of the current epoch, or nullopt at its end, which also moves to the next
  /// epoch (position 0). Rethrows an exception raised while assembling the batch; the position then
  /// stays, so a further call retries that batch.
  std::optional<Batch> next();

  /// Starts epoch `epoch` (>= 0) from its first batch, discarding prefetched batches.
  void set_epoch(int64_t epoch);
  int64_t epoch() const { return state_.epoch; }
  LoaderState state() const { return state_; }
  /// Resumes at `state` (0 <= position <= size()). Throws ValueError otherwise.
  void set_state(const LoaderState& state);
  /// The sample order of `epoch`: 0..n-1, or with shuffle random_permutation(n, sample_seed(seed, epoch, -1)).
  std::vector<int64_t> order(int64_t epoch) const;

  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }

  /// Input iterator over the rest of the current epoch (`for (auto& [images, labels] : loader)`).
  class iterator {
   public:
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    Batch& operator*() { return *current_; }
    Batch* operator->() { return &*current_; }
    iterator& operator++() {
      current_ = loader_->next();
      return *this;
    }
    bool operator==(const iterator& other) const { return current_.has_value() == other.current_.has_value(); }

   private:
    friend class DataLoader;
    explicit iterator(DataLoader* loader) : loader_(loader), current_(loader->next()) {}
    DataLoader* loader_ = nullptr;
    std::optional<Batch> current_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  struct Item {
    Batch batch;
    std::exception_ptr error;
  };
  /// Batch `batch_index` of `epoch` (order_ must hold that epoch's order).
  Batch make_batch(int64_t epoch, int64_t batch_index) const;
  /// The prefetch thread: batches first_batch.. of `epoch` into queue_, then returns.
  void produce(int64_t epoch, int64_t first_batch);
  void start_worker();
  void stop_worker();

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  LoaderState state_;
  std::vector<int64_t> order_;  ///< order(state_.epoch) while the worker runs or batches are made
  int64_t order_epoch_ = -1;

  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
};

}  // namespace tapenet::datasets
