#include "framework/train/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "framework/errors.hpp"

namespace tapenet::train {

namespace {

/// `a` comes before `b` in a descending order that puts NaN above every number.
template <class T>
bool ranks_above(T a, T b) {
  return a > b || (std::isnan(a) && !std::isnan(b));
}

/// Rank of class `label` in `row` (0 = first); counting stops at `limit`.
template <class T>
int64_t rank_of(const T* row, int64_t num_classes, int64_t label, int64_t limit) {
  const T v = row[label];
  int64_t rank = 0;
  for (int64_t j = 0; j < num_classes && rank < limit; ++j)
    rank += j < label ? !ranks_above(v, row[j]) : j > label && ranks_above(row[j], v);
  return rank;
}

/// The top-1 class of `row`: the first maximum, NaN above numbers.
template <class T>
int64_t top1(const T* row, int64_t num_classes) {
  int64_t best = 0;
  for (int64_t j = 1; j < num_classes; ++j)
    if (ranks_above(row[j], row[best])) best = j;
  return best;
}

std::string describe(const Tensor& t) { return shape_str(t.shape()) + " " + dtype_name(t.dtype()); }

/// Throws unless `labels` is int64 [N] and `values` floating logits [N, C] or, with `allow_predictions`,
/// int64 predicted classes [N].
void check_batch(const char* op, const Tensor& values, const Tensor& labels, bool allow_predictions) {
  const bool logits = values.dim() == 2 && is_floating(values.dtype());
  const bool predictions = allow_predictions && values.dim() == 1 && values.dtype() == DType::i64;
  if ((logits || predictions) && labels.dim() == 1 && labels.dtype() == DType::i64 && labels.size(0) == values.size(0))
    return;
  std::string expected = allow_predictions ? "logits [N, C] float32/float64 or predictions [N] int64"
                                           : "logits [N, C] float32/float64";
  throw ValueError(std::string(op) + ": expected " + expected + " and labels [N] int64, got " + describe(values) +
                   " and labels " + describe(labels));
}

/// Throws unless every element of the int64 tensor `classes` lies in [0, num_classes).
void check_classes(const char* op, const char* what, const Tensor& classes, int64_t num_classes) {
  const int64_t* c = classes.data<int64_t>();
  for (int64_t i = 0; i < classes.numel(); ++i)
    if (c[i] < 0 || c[i] >= num_classes)
      throw ValueError(std::string(op) + ": " + what + " " + std::to_string(c[i]) + " of sample " + std::to_string(i) +
                       " out of range [0, " + std::to_string(num_classes) + ")");
}

}  // namespace

void RunningMean::update(double value, int64_t count) {
  if (count < 0) throw ValueError("RunningMean.update: negative count " + std::to_string(count));
  sum_ += value * static_cast<double>(count);
  count_ += count;
}

void RunningMean::reset() {
  sum_ = 0.0;
  count_ = 0;
}

int64_t count_correct(const Tensor& logits, const Tensor& labels, int64_t k) {
  check_batch("count_correct", logits, labels, false);
  const int64_t n = logits.size(0), c = logits.size(1);
  if (k < 1 || k > c)
    throw ValueError("count_correct: k = " + std::to_string(k) + " out of range [1, " + std::to_string(c) +
                     "] for logits " + shape_str(logits.shape()));
  check_classes("count_correct", "label", labels, c);
  const int64_t* y = labels.data<int64_t>();
  return dispatch_floating(logits.dtype(), "count_correct", [&]<class T>() {
    const T* x = logits.data<T>();
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) correct += rank_of(x + i * c, c, y[i], k) < k;
    return correct;
  });
}

Accuracy::Accuracy(int64_t k) : k_(k) {
  if (k < 1) throw ValueError("Accuracy: k must be at least 1, got " + std::to_string(k));
}

void Accuracy::update(const Tensor& logits, const Tensor& labels) {
  correct_ += count_correct(logits, labels, k_);
  total_ += labels.numel();
}

void Accuracy::reset() {
  correct_ = 0;
  total_ = 0;
}

ConfusionMatrix::ConfusionMatrix(int64_t num_classes) : num_classes_(num_classes) {
  if (num_classes < 1)
    throw ValueError("ConfusionMatrix: num_classes must be at least 1, got " + std::to_string(num_classes));
  counts_.assign(static_cast<std::size_t>(num_classes * num_classes), 0);
}

void ConfusionMatrix::update(const Tensor& logits_or_predictions, const Tensor& labels) {
  constexpr const char* op = "ConfusionMatrix.update";
  const Tensor& values = logits_or_predictions;
  check_batch(op, values, labels, true);
  const int64_t n = labels.size(0), c = num_classes_;
  check_classes(op, "label", labels, c);
  const int64_t* y = labels.data<int64_t>();
  if (values.dtype() == DType::i64) {
    check_classes(op, "prediction", values, c);
    const int64_t* p = values.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) ++counts_[static_cast<std::size_t>(y[i] * c + p[i])];
    return;
  }
  if (values.size(1) != c)
    throw ValueError(std::string(op) + ": logits " + shape_str(values.shape()) + " do not have " + std::to_string(c) +
                     " classes");
  dispatch_floating(values.dtype(), op, [&]<class T>() {
    const T* x = values.data<T>();
    for (int64_t i = 0; i < n; ++i) ++counts_[static_cast<std::size_t>(y[i] * c + top1(x + i * c, c))];
  });
}

Tensor ConfusionMatrix::matrix() const {
  Tensor m = Tensor::empty({num_classes_, num_classes_}, DType::i64);
  std::copy(counts_.begin(), counts_.end(), m.data<int64_t>());
  return m;
}

int64_t ConfusionMatrix::at(int64_t truth, int64_t predicted) const {
  if (truth < 0 || truth >= num_classes_ || predicted < 0 || predicted >= num_classes_)
    throw IndexError("ConfusionMatrix.at: (" + std::to_string(truth) + ", " + std::to_string(predicted) +
                     ") out of range for " + std::to_string(num_classes_) + " classes");
  return counts_[static_cast<std::size_t>(truth * num_classes_ + predicted)];
}

int64_t ConfusionMatrix::total() const {
  int64_t total = 0;
  for (int64_t v : counts_) total += v;
  return total;
}

double ConfusionMatrix::accuracy() const {
  int64_t trace = 0;
  for (int64_t i = 0; i < num_classes_; ++i) trace += at(i, i);
  const int64_t n = total();
  return n == 0 ? 0.0 : static_cast<double>(trace) / static_cast<double>(n);
}

std::vector<double> ConfusionMatrix::recall() const {
  std::vector<double> out;
  for (int64_t i = 0; i < num_classes_; ++i) {
    int64_t row = 0;
    for (int64_t j = 0; j < num_classes_; ++j) row += at(i, j);
    out.push_back(row == 0 ? 0.0 : static_cast<double>(at(i, i)) / static_cast<double>(row));
  }
  return out;
}

std::string ConfusionMatrix::to_string(const std::vector<std::string>& class_names) const {
  const auto c = static_cast<std::size_t>(num_classes_);
  if (!class_names.empty() && class_names.size() != c)
    throw ValueError("ConfusionMatrix.to_string: " + std::to_string(class_names.size()) + " class names for " +
                     std::to_string(c) + " classes");
  std::vector<std::string> names = class_names;
  for (std::size_t i = names.size(); i < c; ++i) names.push_back(std::to_string(i));
  const std::string corner = "true \\ predicted";
  std::size_t label_width = corner.size(), width = 1;
  for (std::size_t i = 0; i < c; ++i) {
    label_width = std::max(label_width, names[i].size());
    width = std::max(width, names[i].size());
  }
  for (int64_t v : counts_) width = std::max(width, std::to_string(v).size());
  std::ostringstream os;
  os << std::left << std::setw(static_cast<int>(label_width)) << corner << std::right;
  for (const auto& name : names) os << "  " << std::setw(static_cast<int>(width)) << name;
  os << "   recall\n";
  const std::vector<double> rec = recall();
  for (std::size_t i = 0; i < c; ++i) {
    os << std::left << std::setw(static_cast<int>(label_width)) << names[i] << std::right;
    for (std::size_t j = 0; j < c; ++j) os << "  " << std::setw(static_cast<int>(width)) << counts_[i * c + j];
    os << "  " << std::fixed << std::setprecision(2) << std::setw(6) << 100.0 * rec[i] << "%\n";
  }
  return os.str();
}

void ConfusionMatrix::reset() { std::fill(counts_.begin(), counts_.end(), 0); }

}  // namespace tapenet::train
