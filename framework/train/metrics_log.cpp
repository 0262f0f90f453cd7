#include "framework/train/metrics_log.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "framework/errors.hpp"

namespace tapenet::train {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext;
}

/// Shortest round-trip text of a finite double, with ".0" when it would read back as an integer.
std::string format_double(double v) {
  char buf[40];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, result.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out.append(ch == '"' ? 2 : 1, ch);
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(ch));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

/// `value` as JSON or CSV text; a non-finite double is null in JSON, nan / inf / -inf in CSV.
std::string value_text(const MetricValue& value, bool json) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&value)) return json ? json_string(*s) : csv_field(*s);
  const double d = std::get<double>(value);
  if (std::isfinite(d)) return format_double(d);
  if (json) return "null";
  return std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
}

}  // namespace

MetricsLog::MetricsLog(std::string path) : path_(std::move(path)) {
  const std::string ext = lower_extension(path_);
  if (ext == ".csv")
    format_ = Format::csv;
  else if (ext == ".jsonl" || ext == ".json-lines")
    format_ = Format::jsonl;
  else
    throw ValueError("MetricsLog: cannot tell the format of '" + path_ + "': use a .csv, .jsonl or .json-lines file");
}

void MetricsLog::append(const MetricRow& row) {
  if (row.empty()) throw ValueError("MetricsLog.append: empty row for '" + path_ + "'");
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::string& name = row[i].first;
    if (name.empty()) throw ValueError("MetricsLog.append: empty column name for '" + path_ + "'");
    for (std::size_t j = 0; j < i; ++j)
      if (row[j].first == name)
        throw ValueError("MetricsLog.append: column '" + name + "' repeated for '" + path_ + "'");
  }
  const bool json = format_ == Format::jsonl;
  std::string header, line;
  for (const auto& [name, value] : row) {
    if (json) {
      line.append(line.empty() ? "{" : ", ").append(json_string(name)).append(": ").append(value_text(value, true));
    } else {
      header.append(header.empty() ? "" : ",").append(csv_field(name));
      line.append(line.empty() ? "" : ",").append(value_text(value, false));
    }
  }
  line.append(json ? "}\n" : "\n");
  if (json) {
    write(line);
    return;
  }
  const std::string existing = existing_header();
  if (existing.empty()) {
    write(header + "\n" + line);
    return;
  }
  if (existing != header)
    throw ValueError("MetricsLog.append: '" + path_ + "' has the header '" + existing +
                     "' but the row has the columns '" + header + "'; not appending (write to a new file)");
  write(line);
}

std::string MetricsLog::existing_header() const {
  std::FILE* f = std::fopen(path_.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return "";
    throw IOError("MetricsLog: cannot read '" + path_ + "': " + std::strerror(errno));
  }
  std::string header;
  for (int ch = std::fgetc(f); ch != EOF && ch != '\n'; ch = std::fgetc(f)) header += static_cast<char>(ch);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw IOError("MetricsLog: cannot read '" + path_ + "'");
  if (!header.empty() && header.back() == '\r') header.pop_back();
  return header;
}

void MetricsLog::write(const std::string& text) const {
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::FILE* f = std::fopen(path_.c_str(), "ab");
  if (f == nullptr) throw IOError("MetricsLog: cannot open '" + path_ + "' for appending: " + std::strerror(errno));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) throw IOError("MetricsLog: cannot write to '" + path_ + "': " + std::strerror(errno));
}

}  // namespace tapenet::train
