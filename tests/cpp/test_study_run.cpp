// The study end to end on tiny data: every output file, skipping finished runs, resuming an
// interrupted run bit for bit, and refusing another configuration in the same directory.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "examples/study/json_file.hpp"
#include "examples/study/records.hpp"
#include "examples/study/run.hpp"
#include "examples/study/study.hpp"
#include "framework/errors.hpp"
#include "framework/parallel.hpp"
#include "test_study_data.hpp"

using namespace tapenet;
using namespace tapenet::study;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

StudyOptions quiet(const std::string& output) {
  StudyOptions o;
  o.output = output;
  o.plots = false;
  o.progress = train::ProgressOptions().mode(train::ProgressMode::off);
  return o;
}

RunRecord read_record(const std::string& output, const std::string& id) {
  return run_record_from_json(read_json_file(record_path(output + "/runs/" + id)));
}

int64_t lines(const std::string& path) {
  std::ifstream in(path);
  int64_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("study end to end: outputs, skipping finished runs, exact resume", "[study]") {
  testing::TempDir data, out;
  testing::write_tiny_mnist(data);
  const StudyConfig config = testing::tiny_study_config(data.path.string());
  const std::string a = out.file("a"), b = out.file("b");
  const std::vector<std::string> ids = {"lenet5-dense-n64-s1", "lenet5-shared_sum-n64-s1"};

  const StudyResult first = run_study(config, quiet(a));
  CHECK(first.runs == 2);
  CHECK(first.finished == 2);
  CHECK(first.already_done == 0);
  CHECK_FALSE(first.interrupted);
  for (const char* file : {"config.json", "results.csv", "summary.json", "report.md"}) CHECK(fs::exists(a + "/" + file));
  for (const auto& id : ids) CHECK(fs::exists(checkpoint_path(a + "/runs/" + id)));
  CHECK(lines(a + "/results.csv") == 1 + 2 * 2);
  const RunRecord dense = read_record(a, ids[0]);
  REQUIRE(dense.epochs.size() == 2);
  CHECK(dense.epochs[1].train_loss < dense.epochs[0].train_loss);  // it learns
  CHECK(dense.parameters == 61706);
  CHECK(dense.epochs[1].train_eval_accuracy >= 0);
  const Json summary = read_json_file(a + "/summary.json");
  REQUIRE(summary["groups"].size() == 2);
  CHECK(summary["groups"][0]["variant"] == "dense");
  CHECK(summary["groups"][0]["test_accuracy"]["mean"] == dense.epochs[1].test_accuracy);
  CHECK(summary["groups"][1]["swapped_parameters"] == 416);
  CHECK(summary["study"]["finished"] == 2);
  std::ifstream report_file(a + "/report.md");
  const std::string report((std::istreambuf_iterator<char>(report_file)), std::istreambuf_iterator<char>());
  CHECK_THAT(report, Contains("### lenet5, 64 training images") && Contains("| dense | 0.05 | 61706 | 2416 |") &&
                         Contains("| shared_sum |") && Contains("## Skipped combinations\n\nNone.") &&
                         Contains("Plots not drawn (disabled).") && Contains("\"train_eval_size\": 16"));

  // Again on the same directory: nothing is recomputed.
  const auto stamp = fs::last_write_time(record_path(a + "/runs/" + ids[1]));
  const StudyResult again = run_study(config, quiet(a));
  CHECK(again.already_done == 2);
  CHECK(again.finished == 2);
  CHECK(fs::last_write_time(record_path(a + "/runs/" + ids[1])) == stamp);
  CHECK(lines(a + "/results.csv") == 1 + 2 * 2);

  // Interrupted after the third epoch (the first of the second run), then resumed.
  StudyOptions stopping = quiet(b);
  int epochs = 0;
  stopping.should_stop = [&] { return ++epochs == 3; };
  const StudyResult cut = run_study(config, stopping);
  CHECK(cut.interrupted);
  CHECK(cut.finished == 1);
  CHECK(read_record(b, ids[1]).epochs.size() == 1);
  CHECK(lines(b + "/results.csv") == 1 + 3);
  const StudyResult resumed = run_study(config, quiet(b));
  CHECK_FALSE(resumed.interrupted);
  CHECK(resumed.already_done == 1);
  CHECK(resumed.finished == 2);
  CHECK(lines(b + "/results.csv") == 1 + 2 * 2);
  for (const auto& id : ids) {
    const RunRecord x = read_record(a, id), y = read_record(b, id);
    REQUIRE(y.epochs.size() == 2);
    for (std::size_t e = 0; e < 2; ++e) {
      CHECK(y.epochs[e].train_loss == x.epochs[e].train_loss);  // bit for bit
      CHECK(y.epochs[e].test_loss == x.epochs[e].test_loss);
      CHECK(y.epochs[e].train_eval_loss == x.epochs[e].train_eval_loss);
      CHECK(y.epochs[e].test_accuracy == x.epochs[e].test_accuracy);
    }
  }

  // Another configuration in the same directory is refused.
  StudyConfig longer = config;
  longer.networks[0].epochs = 3;
  CHECK_THROWS_AS(run_study(longer, quiet(a)), ValueError);
  CHECK_THROWS_WITH(run_study(longer, quiet(a)),
                    Contains(a + "/config.json") && Contains("'networks.lenet5.epochs'"));
  StudyConfig more_threads = config;
  more_threads.threads = get_num_threads();  // not part of the identity (and the same count: no global change)
  CHECK(run_study(more_threads, quiet(a)).already_done == 2);
}

TEST_CASE("study on CIFAR-10 files: three channels of 32x32 for both networks", "[study]") {
  testing::TempDir data, out;
  for (int b = 1; b <= 5; ++b) testing::write_cifar_batch(data.file("data_batch_" + std::to_string(b) + ".bin"), {0, 1, 2, 3});
  testing::write_cifar_batch(data.file("test_batch.bin"), {4, 5, 6, 7, 8, 9});
  const StudyConfig config = config_from_json(Json::parse(R"({"dataset": "cifar10", "data": ")" + data.path.string() +
                                                          R"(", "variants": ["dense", "shared_max"], "epochs": 1,
      "networks": {"lenet5": {}, "allconv": {"widths": [6, 12]}}})"));
  const StudyResult result = run_study(config, quiet(out.file("c")));
  CHECK(result.finished == 4);
  const RunRecord lenet = read_record(out.file("c"), "lenet5-dense-n20-s1");
  // LeNet-5 on 3x32x32: C1 reads 3 maps and C5 reads 16 maps of 6x6
  CHECK(lenet.parameters == 61706 + 2 * 6 * 25 + (16 * 6 * 6 - 16 * 5 * 5) * 120);
  const RunRecord allconv = read_record(out.file("c"), "allconv-shared_max-n20-s1");
  CHECK(allconv.swapped_parameters == 12 * 9);  // one 3x3 kernel per output map, no bias before batch norm
  CHECK(allconv.epochs.at(0).test_loss > 0);
}

TEST_CASE("study: a missing data set is an IOError naming the file", "[study]") {
  testing::TempDir out;
  StudyConfig config = testing::tiny_study_config(out.file("nowhere"));
  CHECK_THROWS_AS(run_study(config, quiet(out.file("o"))), IOError);
  CHECK_THROWS_WITH(run_study(config, quiet(out.file("o"))), Contains(out.file("nowhere")));
}
