#pragma once
/// \file MetricsLog: one row of metrics per epoch appended to a CSV or JSON-lines file of the run.
///
///     train::MetricsLog log("runs/lenet/metrics.csv");
///     log.append({{"epoch", int64_t{1}}, {"train_loss", 0.41}, {"test_acc", 0.871}, {"model", "lenet5"}});
///
/// Every append opens the file in append mode, writes the whole row, flushes and closes it, so a
/// crash loses at most the row being written and a resumed run keeps appending to the same file.
/// Not thread-safe: one writer per file.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tapenet::train {

/// One value of a row: an integer, a real or a string.
using MetricValue = std::variant<int64_t, double, std::string>;
/// A row: (column, value) pairs, written in this order.
using MetricRow = std::vector<std::pair<std::string, MetricValue>>;

class MetricsLog {
 public:
  /// The file format, chosen from the path's extension.
  enum class Format { csv, jsonl };

  /// The format comes from the extension: ".csv", or ".jsonl" / ".json-lines" (JSON lines; any
  /// case). Throws ValueError naming the path for any other extension. Touches no file.
  explicit MetricsLog(std::string path);

  /// Appends one row, creating missing parent directories. Doubles are written in their shortest
  /// round-trip form (with ".0" when they would read back as integers).
  /// CSV: a header row of the column names first when the file is missing or empty; fields holding
  /// a comma, quote, CR or LF are quoted (quotes doubled); NaN and infinities as nan, inf, -inf.
  /// JSON lines: one object per line with the keys in row order, strings escaped, NaN and
  /// infinities as null.
  /// Throws ValueError (writing nothing) on an empty row, a repeated or empty column name, or — CSV —
  /// a file whose header differs from the row's columns (naming the path and both headers).
  /// Throws IOError naming the path when the file cannot be read, opened or written.
  void append(const MetricRow& row);

  /// The path as given.
  const std::string& path() const { return path_; }
  /// The format from the extension.
  Format format() const { return format_; }

 private:
  /// CSV: the existing file's header line without its line break ("" for a missing or empty file).
  std::string existing_header() const;
  /// Writes `text` at the end of the file in one call, flushes and closes it.
  void write(const std::string& text) const;

  std::string path_;
  Format format_;
};

}  // namespace tapenet::train
