#include "framework/train/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "framework/errors.hpp"

namespace tapenet::train {

namespace {


/// Appends two spaces and `value` printed with the printf format `fmt`.
void field(std::string& out, const char* fmt, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  out.append("  ").append(buf);
}

/// The width of the terminal behind `stream`, or 0.
int64_t terminal_columns(std::FILE* stream) {
  winsize size{};
  if (ioctl(fileno(stream), TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

ProgressMode resolve(const ProgressOptions& o) {
  if (o.mode() != ProgressMode::automatic) return o.mode();
  if (o.sink()) return ProgressMode::log;
  return isatty(fileno(o.stream())) ? ProgressMode::bar : ProgressMode::log;
}

}  // namespace

ProgressBar::ProgressBar(std::string title, int64_t total_batches, ProgressOptions options)
    : title_(std::move(title)), total_(total_batches), options_(std::move(options)) {
  if (total_ < 0) throw ValueError("ProgressBar: negative total_batches " + std::to_string(total_));
  if (options_.log_every() < 1)
    throw ValueError("ProgressBar: log_every must be at least 1, got " + std::to_string(options_.log_every()));
  if (options_.width() < 1)
    throw ValueError("ProgressBar: width must be at least 1, got " + std::to_string(options_.width()));
  if (!(options_.min_interval_seconds() >= 0))
    throw ValueError("ProgressBar: negative min_interval_seconds " + std::to_string(options_.min_interval_seconds()));
  if (options_.columns() < 0) throw ValueError("ProgressBar: negative columns " + std::to_string(options_.columns()));
  if (!options_.sink() && options_.stream() == nullptr) throw ValueError("ProgressBar: null stream and no sink");
  mode_ = resolve(options_);
  columns_ = options_.columns();
  if (columns_ == 0 && mode_ == ProgressMode::bar && !options_.sink()) columns_ = terminal_columns(options_.stream());
  start_ = now();
}

double ProgressBar::now() const {
  if (options_.clock()) return options_.clock()();
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double ProgressBar::elapsed() const { return now() - start_; }

void ProgressBar::update(int64_t batches_done, int64_t images_done, double loss, double accuracy) {
  if (batches_done < 0 || images_done < 0 || (total_ > 0 && batches_done > total_))
    throw ValueError("ProgressBar.update: batches_done " + std::to_string(batches_done) + " of " +
                     std::to_string(total_) + ", images_done " + std::to_string(images_done));
  batches_ = batches_done;
  images_ = images_done;
  loss_ = loss;
  accuracy_ = accuracy;
  updated_ = true;
  const bool last = batches_done == total_;
  if (mode_ == ProgressMode::bar) {
    const double t = now();
    if (!last && t - last_draw_ < options_.min_interval_seconds()) return;
    last_draw_ = t;
    redraw(line(false, ""));
  } else if (mode_ == ProgressMode::log && !last && batches_done % options_.log_every() == 0) {
    // The last batch's line is finish()'s, with the elapsed time instead of the ETA.
    write(line(false, "") + "\n");
  }
}

void ProgressBar::finish(const std::string& summary) {
  if (finished_ || mode_ == ProgressMode::off) return;
  finished_ = true;
  const std::string text = line(true, summary);
  if (mode_ == ProgressMode::bar) {
    redraw(text);
    write("\n");
  } else {
    write(text + "\n");
  }
}

std::string ProgressBar::line(bool final, const std::string& summary) const {
  std::string tail = std::to_string(batches_);
  if (total_ > 0) tail.append("/").append(std::to_string(total_));
  const double seconds = elapsed();
  if (updated_) {
    field(tail, "loss %.4f", loss_);
    if (!std::isnan(accuracy_)) field(tail, "acc %.2f%%", 100.0 * accuracy_);
    if (seconds > 0) field(tail, "%.0f img/s", static_cast<double>(images_) / seconds);
  }
  if (final)
    tail.append("  time ").append(format_duration(seconds));
  else if (total_ > 0 && batches_ > 0)
    tail.append("  eta ").append(format_duration(seconds / static_cast<double>(batches_) *
                                                 static_cast<double>(total_ - batches_)));
  if (!summary.empty()) tail.append("  ").append(summary);
  std::string out = title_;
  if (mode_ != ProgressMode::bar) return out.append(out.empty() ? "batch " : "  batch ").append(tail);
  const std::string bar = bar_text(out.size() + tail.size());
  if (bar.empty())
    out.append(out.empty() ? "batch " : "  batch ").append(tail);
  else
    out.append(out.empty() ? "" : " ").append(bar).append(" ").append(tail);
  // A line as wide as the terminal would wrap and break the redraw: cut it.
  if (columns_ > 0 && static_cast<int64_t>(out.size()) >= columns_) out.resize(static_cast<std::size_t>(columns_ - 1));
  return out;
}

std::string ProgressBar::bar_text(std::size_t other) const {
  if (total_ == 0) return "";
  int64_t width = options_.width();
  // Brackets and two spaces around the bar; the last column stays free so the cursor never wraps.
  const int64_t room = columns_ - 5 - static_cast<int64_t>(other);
  if (columns_ > 0 && room < width) {
    if (room < 5) return "";
    width = room;
  }
  const int64_t filled = batches_ * width / total_;
  std::string bar(static_cast<std::size_t>(width + 2), ' ');
  bar.front() = '[';
  bar.back() = ']';
  bar.replace(1, static_cast<std::size_t>(filled), static_cast<std::size_t>(filled), '=');
  if (filled < width && batches_ > 0) bar[static_cast<std::size_t>(filled + 1)] = '>';
  return bar;
}

void ProgressBar::redraw(const std::string& text) {
  std::string padded = "\r";
  padded += text;
  if (text.size() < drawn_length_) padded.append(drawn_length_ - text.size(), ' ');
  drawn_length_ = text.size();
  write(padded);
}

void ProgressBar::write(const std::string& text) {
  if (options_.sink()) {
    options_.sink()(text);
    return;
  }
  std::fputs(text.c_str(), options_.stream());
  std::fflush(options_.stream());
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const long long total = std::llround(std::max(seconds, 0.0));
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  return buf;
}

}  // namespace tapenet::train
