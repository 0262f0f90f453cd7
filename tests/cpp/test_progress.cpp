#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "framework/errors.hpp"
#include "framework/train/metrics_log.hpp"
#include "framework/train/progress.hpp"
#include "test_datasets_util.hpp"

using namespace tapenet;
using namespace tapenet::train;
using Catch::Contains;
using tapenet::testing::read_bytes;
using tapenet::testing::TempDir;
using tapenet::testing::write_bytes;

namespace {

/// A tmpfile() stream to hand to a ProgressBar, and a fake clock it reads.
struct Capture {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::tmpfile(), &std::fclose};
  double time = 0.0;

  ProgressOptions options(ProgressMode mode) {
    return ProgressOptions().mode(mode).stream(file.get()).min_interval_seconds(0).clock([this] { return time; });
  }
  std::string text() {
    std::fflush(file.get());
    std::rewind(file.get());
    std::string out;
    for (int ch = std::fgetc(file.get()); ch != EOF; ch = std::fgetc(file.get())) out += static_cast<char>(ch);
    return out;
  }
};

}  // namespace

TEST_CASE("ProgressBar log mode writes a line every log_every batches and at the last", "[metrics][progress]") {
  Capture out;
  ProgressBar bar("epoch 1", 5, out.options(ProgressMode::log).log_every(2));
  CHECK(bar.mode() == ProgressMode::log);
  for (int64_t b = 1; b <= 5; ++b) {
    out.time = static_cast<double>(b);
    bar.update(b, 10 * b, 1.0 / static_cast<double>(b), 0.5 + 0.1 * static_cast<double>(b));
  }
  out.time = 6.0;
  bar.finish("test acc 80.00%");
  bar.finish("ignored");
  CHECK(out.text() ==
        "epoch 1  batch 2/5  loss 0.5000  acc 70.00%  10 img/s  eta 0:03\n"
        "epoch 1  batch 4/5  loss 0.2500  acc 90.00%  10 img/s  eta 0:01\n"
        "epoch 1  batch 5/5  loss 0.2000  acc 100.00%  8 img/s  time 0:06  test acc 80.00%\n");
}

TEST_CASE("ProgressBar bar mode redraws one line and ends it at finish", "[metrics][progress]") {
  Capture out;
  ProgressBar bar("epoch 2", 4, out.options(ProgressMode::bar).width(10));
  out.time = 1.0;
  bar.update(1, 64, 0.75, 0.25);
  out.time = 3725.0;  // the ETA passes an hour: h:mm:ss
  bar.update(2, 128, 0.5);
  out.time = 4.0;
  bar.update(4, 256, 0.125, 0.5);
  bar.finish();
  const std::string first = "epoch 2 [==>       ] 1/4  loss 0.7500  acc 25.00%  64 img/s  eta 0:03";
  const std::string second = "epoch 2 [=====>    ] 2/4  loss 0.5000  0 img/s  eta 1:02:05";
  const std::string last = "epoch 2 [==========] 4/4  loss 0.1250  acc 50.00%  64 img/s  eta 0:00";
  const std::string final_line = "epoch 2 [==========] 4/4  loss 0.1250  acc 50.00%  64 img/s  time 0:04";
  // A shorter line is padded with spaces over the longer one it replaces.
  REQUIRE(first.size() > second.size());
  REQUIRE(last.size() > second.size());
  std::string expected = "\r";
  expected += first;
  expected.append("\r").append(second).append(first.size() - second.size(), ' ');
  expected.append("\r").append(last).append("\r").append(final_line).append("\n");
  CHECK(out.text() == expected);
}

TEST_CASE("ProgressBar bar mode draws at most once per min_interval_seconds", "[metrics][progress]") {
  Capture out;
  ProgressBar bar("", 4, out.options(ProgressMode::bar).min_interval_seconds(1.0));
  const double times[] = {0.1, 0.5, 1.2, 1.3};  // drawn: the first, 1.2, and the last batch
  for (int64_t b = 1; b <= 4; ++b) {
    out.time = times[b - 1];
    bar.update(b, b, 0.0);
  }
  const std::string text = out.text();
  CHECK(std::count(text.begin(), text.end(), '\r') == 3);
  CHECK(text.find("2/4") == std::string::npos);
  CHECK(text.rfind("\r[", 0) == 0);  // no title: the line starts with the bar
}

TEST_CASE("ProgressBar narrows the bar to fit the terminal's columns", "[metrics][progress]") {
  const std::string tail = "1/2  loss 0.5000  10 img/s  eta 0:01";
  const std::string full_bar = "[" + std::string(15, '=') + ">" + std::string(14, ' ') + "]";
  for (auto [columns, expected] : {std::pair<int64_t, std::string>{0, "e " + full_bar + " " + tail},
                                   {50, "e [====>   ] " + tail},                       // 49 characters
                                   {45, "e  batch " + tail.substr(0, tail.size() - 1)}}) {  // no bar, cut

    Capture out;
    ProgressBar bar("e", 2, out.options(ProgressMode::bar).columns(columns));
    out.time = 1.0;
    bar.update(1, 10, 0.5);
    CHECK(out.text() == std::string("\r").append(expected));
    CHECK((columns == 0 || static_cast<int64_t>(expected.size()) < columns));
  }
  Capture out;
  REQUIRE_THROWS_WITH(ProgressBar("e", 2, out.options(ProgressMode::bar).columns(-1)), Contains("negative columns"));
}

TEST_CASE("ProgressBar resolves automatic mode, stays silent when off, handles unknown totals", "[metrics][progress]") {
  Capture out;
  // A file is no terminal.
  CHECK(ProgressBar("x", 3, out.options(ProgressMode::automatic)).mode() == ProgressMode::log);
  std::string sunk;
  ProgressBar sink_bar("x", 3, ProgressOptions().sink([&](const std::string& s) { sunk += s; }));
  CHECK(sink_bar.mode() == ProgressMode::log);
  sink_bar.update(3, 3, 1.0);
  CHECK(sunk.empty());  // the last batch's line is finish()'s
  sink_bar.finish();
  CHECK(sunk.rfind("x  batch 3/3  loss 1.0000", 0) == 0);
  CHECK(sunk.find("time 0:") != std::string::npos);

  ProgressBar off("x", 3, out.options(ProgressMode::off));
  off.update(3, 3, 1.0);
  off.finish("done");
  ProgressBar unknown("", 0, out.options(ProgressMode::log).log_every(1));
  out.time = 2.0;
  unknown.update(3, 30, 0.5);
  CHECK(out.text() == "batch 3  loss 0.5000  15 img/s\n");
}

TEST_CASE("ProgressBar rejects bad options and counts", "[metrics][progress]") {
  Capture out;
  REQUIRE_THROWS_WITH(ProgressBar("x", -1, out.options(ProgressMode::log)), Contains("negative total_batches -1"));
  REQUIRE_THROWS_WITH(ProgressBar("x", 3, out.options(ProgressMode::log).log_every(0)), Contains("log_every"));
  REQUIRE_THROWS_WITH(ProgressBar("x", 3, out.options(ProgressMode::log).width(0)), Contains("width"));
  REQUIRE_THROWS_WITH(ProgressBar("x", 3, out.options(ProgressMode::log).min_interval_seconds(-1)),
                      Contains("min_interval_seconds"));
  REQUIRE_THROWS_WITH(ProgressBar("x", 3, ProgressOptions().stream(nullptr)), Contains("null stream"));
  ProgressBar bar("x", 3, out.options(ProgressMode::log));
  REQUIRE_THROWS_WITH(bar.update(4, 10, 0.0), Contains("batches_done 4 of 3"));
  REQUIRE_THROWS_AS(bar.update(1, -1, 0.0), ValueError);
}

TEST_CASE("MetricsLog appends CSV rows with one header and round-trip doubles", "[metrics][metrics_log]") {
  TempDir dir;
  const std::string path = dir.file("run/metrics.csv");  // the parent directory is created
  MetricsLog log(path);
  CHECK(log.format() == MetricsLog::Format::csv);
  CHECK(log.path() == path);
  log.append({{"epoch", int64_t{1}}, {"loss", 0.1 + 0.2}, {"acc", 1.0}, {"note", std::string("a,\"b\"")}});
  log.append({{"epoch", int64_t{2}}, {"loss", std::nan("")}, {"acc", -std::numeric_limits<double>::infinity()},
              {"note", std::string("plain")}});
  MetricsLog resumed(path);  // a resumed run keeps appending below the same header
  resumed.append({{"epoch", int64_t{3}}, {"loss", 1e-20}, {"acc", 0.5}, {"note", std::string("x\ny")}});
  CHECK(read_bytes(path) ==
        "epoch,loss,acc,note\n"
        "1,0.30000000000000004,1.0,\"a,\"\"b\"\"\"\n"
        "2,nan,-inf,plain\n"
        "3,1e-20,0.5,\"x\ny\"\n");
  CHECK(std::stod("0.30000000000000004") == 0.1 + 0.2);
}

TEST_CASE("MetricsLog refuses a CSV whose header differs and leaves it unchanged", "[metrics][metrics_log]") {
  TempDir dir;
  const std::string path = dir.file("metrics.csv");
  write_bytes(path, "epoch,loss\r\n1,0.5\r\n");
  MetricsLog log(path);
  log.append({{"epoch", int64_t{2}}, {"loss", 0.25}});  // a CRLF header still matches
  const std::string before = read_bytes(path);
  CHECK(before == "epoch,loss\r\n1,0.5\r\n2,0.25\n");
  REQUIRE_THROWS_WITH(log.append({{"epoch", int64_t{3}}, {"acc", 0.9}}),
                      Contains(path) && Contains("'epoch,loss'") && Contains("'epoch,acc'"));
  CHECK(read_bytes(path) == before);
  write_bytes(path, "");  // an empty file gets the header
  log.append({{"epoch", int64_t{1}}});
  CHECK(read_bytes(path) == "epoch\n1\n");
}

TEST_CASE("MetricsLog writes JSON lines with escaped strings and null for non-finite values",
          "[metrics][metrics_log]") {
  TempDir dir;
  const std::string path = dir.file("metrics.JSONL");
  MetricsLog log(path);
  CHECK(log.format() == MetricsLog::Format::jsonl);
  log.append({{"epoch", int64_t{1}}, {"loss", 0.25}, {"acc", 2.0}, {"note", std::string("q\"b\\s\n\x01")}});
  log.append({{"z", std::numeric_limits<double>::infinity()}, {"a", std::nan("")}});
  CHECK(read_bytes(path) ==
        "{\"epoch\": 1, \"loss\": 0.25, \"acc\": 2.0, \"note\": \"q\\\"b\\\\s\\n\\u0001\"}\n"
        "{\"z\": null, \"a\": null}\n");
  CHECK(MetricsLog(dir.file("m.json-lines")).format() == MetricsLog::Format::jsonl);
}

TEST_CASE("MetricsLog reports bad paths, formats and rows", "[metrics][metrics_log]") {
  TempDir dir;
  REQUIRE_THROWS_WITH(MetricsLog(dir.file("metrics.txt")), Contains("metrics.txt") && Contains(".csv, .jsonl"));
  MetricsLog log(dir.file("m.csv"));
  REQUIRE_THROWS_WITH(log.append({}), Contains("empty row"));
  REQUIRE_THROWS_WITH(log.append({{"a", int64_t{1}}, {"a", int64_t{2}}}), Contains("column 'a' repeated"));
  REQUIRE_THROWS_WITH(log.append({{"", int64_t{1}}}), Contains("empty column name"));
  write_bytes(dir.file("file"), "not a directory");
  const std::string bad = dir.file("file/m.jsonl");
  REQUIRE_THROWS_AS(MetricsLog(bad).append({{"a", int64_t{1}}}), IOError);
  REQUIRE_THROWS_WITH(MetricsLog(bad).append({{"a", int64_t{1}}}), Contains(bad));
}
