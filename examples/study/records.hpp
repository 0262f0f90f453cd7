#pragma once
/// \file What a run produced: its measurements and one record per epoch, as JSON (runs/<id>/run.json
/// and the checkpoint's user metadata) and as rows of results.csv.
#include <cstdint>
#include <string>
#include <vector>

#include "examples/study/config.hpp"
#include "examples/study/plan.hpp"
#include "framework/train/metrics_log.hpp"

namespace tapenet::study {

/// One epoch of one run.
struct EpochRecord {
  int epoch = 0;  ///< 1-based
  double train_loss = 0, train_accuracy = 0;  ///< over the epoch's training batches (train mode)
  double test_loss = 0, test_accuracy = 0;    ///< over the test images after the epoch (eval mode)
  /// Over the first train_eval_size training images after the epoch (eval mode); NaN when not measured.
  double train_eval_loss = 0, train_eval_accuracy = 0;
  double train_seconds = 0;  ///< the training pass
  double seconds = 0;        ///< training, evaluation and checkpoint together
  int64_t peak_rss_bytes = 0;  ///< of the process so far
  bool operator==(const EpochRecord&) const = default;
  /// Training accuracy for the gap: train_eval_accuracy when measured, else train_accuracy.
  double gap_train_accuracy() const;
};

/// One run: what it is, what the network costs, and its epochs so far.
struct RunRecord {
  RunSpec spec;
  int64_t parameters = 0;
  int64_t swapped_parameters = 0;
  int64_t macs = 0;  ///< multiply-adds per image
  std::vector<EpochRecord> epochs;
  bool finished() const { return static_cast<int>(epochs.size()) >= spec.epochs; }
};

/// run.json: the run's fields, "finished" and "history" (one object per epoch; NaN as null).
Json to_json(const RunRecord& record);
/// Throws ValueError naming the missing or mistyped field.
RunRecord run_record_from_json(const Json& json);

/// The results.csv row of epoch `epoch` (an index into record.epochs): the run's fields (as in
/// run.json), the epoch's (as in its history), then the generalization gap
/// (EpochRecord::gap_train_accuracy() - test accuracy) and the cumulative training seconds.
train::MetricRow csv_row(const RunRecord& record, std::size_t epoch);

}  // namespace tapenet::study
