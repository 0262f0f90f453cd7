#include "examples/study/eta.hpp"

#include <cmath>
#include <cstdio>

namespace tapenet::study {

StudyEta::StudyEta(std::vector<RunSpec> runs, std::vector<int> epochs_done, std::vector<int64_t> macs)
    : runs_(std::move(runs)),
      epochs_done_(std::move(epochs_done)),
      macs_(std::move(macs)),
      start_(std::chrono::steady_clock::now()) {
  epochs_done_.resize(runs_.size(), 0);
  macs_.resize(runs_.size(), 1);
}

void StudyEta::epoch_done(std::size_t index, double seconds) {
  const RunSpec& run = runs_.at(index);
  ++epochs_done_[index];
  const double images = static_cast<double>(run.train_size);
  Rate& variant = by_variant_[{run.network, run.variant}];
  variant.seconds += seconds;
  variant.images += images;
  overall_.seconds += seconds;
  overall_.images += images * static_cast<double>(macs_[index]);
}

double StudyEta::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double StudyEta::remaining() const {
  if (overall_.images == 0) return std::nan("");
  double total = 0;
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    const RunSpec& run = runs_[i];
    const int left = run.epochs - epochs_done_[i];
    if (left <= 0) continue;
    const double images = left * static_cast<double>(run.train_size);
    if (auto it = by_variant_.find({run.network, run.variant}); it != by_variant_.end())
      total += images * it->second.seconds / it->second.images;
    else
      total += images * static_cast<double>(macs_[i]) * overall_.seconds / overall_.images;
  }
  return total;
}

std::string StudyEta::line() const {
  std::size_t done = 0;
  for (std::size_t i = 0; i < runs_.size(); ++i) done += epochs_done_[i] >= runs_[i].epochs ? 1 : 0;
  std::string out = "study: ";
  out.append(std::to_string(done)).append("/").append(std::to_string(runs_.size())).append(" runs done, elapsed ");
  return out.append(format_duration(elapsed())).append(", eta ").append(format_duration(remaining()));
}

}  // namespace tapenet::study
