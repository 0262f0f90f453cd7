#pragma once
/// \file ProgressBar: one epoch's progress as a redrawn bar on a terminal, or as plain log lines on
/// a pipe or file.
///
///     train::ProgressBar bar("epoch 1", loader.size());
///     for (...) { ...; bar.update(batch + 1, images_seen, loss.mean(), acc.value()); }
///     bar.finish("test acc 88.10%");
///
/// Bar (a terminal):  `epoch 1 [=============>                ] 430/938  loss 0.6123  acc 77.41%  9821 img/s  eta 0:08`
/// redrawn in place with '\r' at most once per `min_interval_seconds`; finish() draws the final
/// state with the elapsed `time` instead of `eta`, the summary, and a newline.
/// Log (a pipe): `epoch 1  batch 100/938  loss 0.6123  acc 77.41%  9821 img/s  eta 0:08`, one line
/// every `log_every` batches; finish() writes the last line (the final state, with `time`).
/// Not thread-safe: one thread drives a bar.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

#include "framework/options.hpp"

namespace tapenet::train {

/// "m:ss", or "h:mm:ss" from one hour on; "?" when not finite; negative durations count as 0.
std::string format_duration(double seconds);

/// automatic: a bar when the stream is a terminal (isatty), log lines otherwise (and with a sink).
enum class ProgressMode { automatic, bar, log, off };

/// A C stream handle (an alias so that the option's getter returns `FILE* const&`).
using FilePtr = std::FILE*;

struct ProgressOptions {
  TAPENET_OPTION(ProgressOptions, ProgressMode, mode, ProgressMode::automatic)
  /// Where the text goes (flushed after each write) unless a sink is set.
  TAPENET_OPTION(ProgressOptions, FilePtr, stream, stdout)
  /// When set, receives every piece of text instead of `stream` (the Python binding writes to a
  /// file object this way). Exceptions it throws propagate out of update() / finish().
  TAPENET_OPTION(ProgressOptions, std::function<void(const std::string&)>, sink, nullptr)
  /// Log mode: batches between lines (the last batch's line is finish()'s). At least 1.
  TAPENET_OPTION(ProgressOptions, int64_t, log_every, 100)
  /// Bar mode: characters between the brackets. At least 1.
  TAPENET_OPTION(ProgressOptions, int64_t, width, 30)
  /// Bar mode: the terminal's width; the bar narrows (and goes, below 5 characters) so that a line
  /// stays shorter, and a line still too long is cut. 0: ask the stream's terminal (TIOCGWINSZ) at
  /// construction, no limit if it is none.
  TAPENET_OPTION(ProgressOptions, int64_t, columns, 0)
  /// Bar mode: minimum seconds between redraws (0 redraws on every update). The last batch is always drawn.
  TAPENET_OPTION(ProgressOptions, double, min_interval_seconds, 0.1)
  /// Seconds since any fixed origin, for images/s, the ETA and the rate limit (null: std::chrono::steady_clock).
  TAPENET_OPTION(ProgressOptions, std::function<double()>, clock, nullptr)
};

class ProgressBar {
 public:
  /// `title` starts every line ("epoch 1"; may be empty). `total_batches` >= 0; 0 means unknown (no
  /// bar and no ETA). Starts the clock. Throws ValueError on a negative total, log_every or width
  /// < 1, negative columns or min_interval_seconds, or a null stream without a sink.
  ProgressBar(std::string title, int64_t total_batches, ProgressOptions options = {});

  /// Records the state after `batches_done` batches and `images_done` images: the running mean loss
  /// and accuracy (a fraction in [0, 1]; NaN leaves it out), and draws or logs it when due.
  /// Throws ValueError on negative counts or batches_done > total_batches (when known).
  void update(int64_t batches_done, int64_t images_done, double loss,
              double accuracy = std::numeric_limits<double>::quiet_NaN());
  /// Writes the final line (elapsed time instead of the ETA, then `summary`) and, for a bar, the
  /// newline. Further calls do nothing.
  void finish(const std::string& summary = "");

  /// The resolved mode: bar, log or off (never automatic).
  ProgressMode mode() const { return mode_; }
  /// Seconds since construction.
  double elapsed() const;

 private:
  /// One line of text (no '\r' or newline) for the current state.
  std::string line(bool final, const std::string& summary) const;
  /// "[=====>    ]" for the current state, narrowed so that a line with `other` more characters fits
  /// the columns; "" when the total is unknown or a bar narrowed below 5 characters.
  std::string bar_text(std::size_t other) const;
  /// Bar mode: redraws the line in place, padding over a longer previous one.
  void redraw(const std::string& text);
  /// To the sink, or to the stream and flushed.
  void write(const std::string& text);
  /// Seconds from the clock option or the steady clock.
  double now() const;

  std::string title_;
  int64_t total_;
  ProgressOptions options_;
  ProgressMode mode_;
  int64_t columns_ = 0;  ///< 0: no limit
  double start_;
  double last_draw_ = -std::numeric_limits<double>::infinity();
  std::size_t drawn_length_ = 0;
  bool updated_ = false;
  bool finished_ = false;
  int64_t batches_ = 0;
  int64_t images_ = 0;
  double loss_ = 0.0;
  double accuracy_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace tapenet::train
