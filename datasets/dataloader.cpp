#include "datasets/dataloader.hpp"

#include <algorithm>
#include <numeric>

#include "datasets/tensor_dataset.hpp"
#include "framework/errors.hpp"

namespace tapenet::datasets {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  if (!dataset_) throw ValueError("DataLoader: null data set");
  if (options_.batch_size() < 1)
    throw ValueError("DataLoader: batch_size must be >= 1, got " + std::to_string(options_.batch_size()));
  if (options_.prefetch() < 0)
    throw ValueError("DataLoader: prefetch must be >= 0, got " + std::to_string(options_.prefetch()));
  if (options_.transform()) options_.transform()->output_shape(dataset_->image_shape());
}

DataLoader::~DataLoader() { stop_worker(); }

int64_t DataLoader::size() const {
  const int64_t n = dataset_->size(), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  if (options_.shuffle()) return random_permutation(dataset_->size(), sample_seed(options_.seed(), epoch, -1));
  std::vector<int64_t> o(static_cast<std::size_t>(dataset_->size()));
  std::iota(o.begin(), o.end(), int64_t{0});
  return o;
}

Batch DataLoader::make_batch(int64_t epoch, int64_t batch_index) const {
  const int64_t b = options_.batch_size();
  const int64_t first = batch_index * b;
  const int64_t last = std::min(first + b, dataset_->size());
  const std::vector<int64_t> indices(order_.begin() + first, order_.begin() + last);
  return dataset_->get_batch(indices, options_.transform().get(), {options_.seed(), epoch, first});
}

std::optional<Batch> DataLoader::next() {
  if (state_.position >= size()) {
    stop_worker();
    ++state_.epoch;
    state_.position = 0;
    return std::nullopt;
  }
  if (order_epoch_ != state_.epoch) {
    order_ = order(state_.epoch);
    order_epoch_ = state_.epoch;
  }
  if (options_.prefetch() == 0) {
    Batch batch = make_batch(state_.epoch, state_.position);
    ++state_.position;
    return batch;
  }
  if (!worker_.joinable()) start_worker();
  Item item;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty(); });
    item = std::move(queue_.front());
    queue_.pop_front();
  }
  cv_.notify_all();
  if (item.error) {
    stop_worker();
    std::rethrow_exception(item.error);
  }
  ++state_.position;
  return std::move(item.batch);
}

void DataLoader::produce(int64_t epoch, int64_t first_batch) {
  const int64_t end = size();
  for (int64_t b = first_batch; b < end; ++b) {
    Item item;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    try {
      item.batch = make_batch(epoch, b);
    } catch (...) {
      item.error = std::current_exception();
    }
    const bool failed = item.error != nullptr;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || static_cast<int64_t>(queue_.size()) < options_.prefetch(); });
      if (stop_) return;
      queue_.push_back(std::move(item));
    }
    cv_.notify_all();
    if (failed) return;
  }
}

void DataLoader::start_worker() {
  stop_ = false;
  worker_ = std::thread([this, epoch = state_.epoch, first = state_.position] { produce(epoch, first); });
}

void DataLoader::stop_worker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  queue_.clear();
}

void DataLoader::set_epoch(int64_t epoch) { set_state({epoch, 0}); }

void DataLoader::set_state(const LoaderState& state) {
  if (state.epoch < 0 || state.position < 0 || state.position > size())
    throw ValueError("DataLoader::set_state: epoch " + std::to_string(state.epoch) + ", position " +
                     std::to_string(state.position) +
                     " is outside epoch >= 0, 0 <= position <= " + std::to_string(size()));
  stop_worker();
  state_ = state;
}

}  // namespace tapenet::datasets
