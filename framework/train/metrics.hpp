#pragma once
/// \file Training metrics: a running mean (loss), top-k accuracy and a confusion matrix.
///
/// Cheap enough to call on every batch: they read the tensors' buffers directly, record nothing on
/// the tape and allocate nothing per batch (except ConfusionMatrix::matrix() / to_string()).
/// Not thread-safe: one metric object is updated by one thread at a time.
#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet::train {

/// A weighted running mean: `update(batch_mean_loss, batch_size)` per batch, then `mean()` is the
/// mean over all samples seen.
class RunningMean {
 public:
  /// Adds `value` with weight `count` (>= 0; 0 adds nothing). Throws ValueError on a negative count.
  void update(double value, int64_t count = 1);
  /// The weighted mean so far; 0 when nothing has been added.
  double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  /// The total weight so far.
  int64_t count() const { return count_; }
  /// Forgets everything added.
  void reset();

 private:
  double sum_ = 0.0;
  int64_t count_ = 0;
};

/// The number of samples whose label is among the `k` largest logits of its row.
/// `logits` float32/float64 [N, C], `labels` int64 [N], 1 <= k <= C.
/// Ties rank like a stable descending sort (the lower class index first, as argmax picks the first
/// maximum) and NaN ranks above every number (as torch.topk / torch.argmax order NaN): the label's
/// rank is the number of classes with a larger logit plus the number of lower-indexed classes with an
/// equal one, and the sample counts when that rank is below k.
/// Throws ValueError naming "count_correct" and the shapes/dtypes for wrong ranks, sizes or dtypes,
/// for k outside [1, C] and for a label outside [0, C).
int64_t count_correct(const Tensor& logits, const Tensor& labels, int64_t k = 1);

/// Top-k accuracy accumulated over batches.
class Accuracy {
 public:
  /// Throws ValueError when k < 1.
  explicit Accuracy(int64_t k = 1);
  /// Adds one batch: logits [N, C] and labels [N] as in count_correct (which throws; then nothing is added).
  void update(const Tensor& logits, const Tensor& labels);
  /// correct() / total(), a fraction in [0, 1]; 0 when empty.
  double value() const {
    return total_ == 0 ? 0.0 : static_cast<double>(correct_) / static_cast<double>(total_);
  }
  /// Samples whose label was among the k largest logits.
  int64_t correct() const { return correct_; }
  /// Samples added.
  int64_t total() const { return total_; }
  /// The k of top-k.
  int64_t k() const { return k_; }
  /// Forgets everything added.
  void reset();

 private:
  int64_t k_;
  int64_t correct_ = 0;
  int64_t total_ = 0;
};

/// Counts of (true class, predicted class) pairs.
class ConfusionMatrix {
 public:
  /// Throws ValueError when num_classes < 1.
  explicit ConfusionMatrix(int64_t num_classes);
  /// Adds one batch. `logits_or_predictions`: float32/float64 logits [N, C] (the prediction is the
  /// top-1 class, ties and NaN as in count_correct) or int64 predicted classes [N]; `labels` int64 [N].
  /// Throws ValueError naming "ConfusionMatrix.update" on other shapes or dtypes and on a label or
  /// prediction outside [0, C); the counts are then unchanged.
  void update(const Tensor& logits_or_predictions, const Tensor& labels);
  /// int64 [C, C] (a copy): row = true class, column = predicted class.
  Tensor matrix() const;
  /// One count; throws IndexError outside [0, C).
  int64_t at(int64_t truth, int64_t predicted) const;
  /// C.
  int64_t num_classes() const { return num_classes_; }
  /// All samples added so far.
  int64_t total() const;
  /// Trace / total; 0 when empty.
  double accuracy() const;
  /// Per true class: diagonal / row sum, 0 for a class with no samples.
  std::vector<double> recall() const;
  /// A right-aligned table: one row per true class with its counts and recall (%), a header of
  /// predicted classes. `class_names` (empty: the class indices) must hold C names, else ValueError.
  std::string to_string(const std::vector<std::string>& class_names = {}) const;
  /// Sets every count to 0.
  void reset();

 private:
  int64_t num_classes_;
  std::vector<int64_t> counts_;  ///< row-major [C, C]
};

}  // namespace tapenet::train
