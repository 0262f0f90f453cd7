// The study's run expansion, skipping rules, network measurements, statistics, CSV rows and ETA.
#include <catch2/catch.hpp>

#include <cmath>

#include "examples/study/eta.hpp"
#include "examples/study/network.hpp"
#include "examples/study/plan.hpp"
#include "examples/study/presets.hpp"
#include "examples/study/summary.hpp"
#include "framework/errors.hpp"

using namespace tapenet;
using namespace tapenet::study;
using Catch::Contains;

namespace {

const datasets::ImageShape kMnist{1, 28, 28};

StudyConfig all_variants(const std::string& networks) {
  return config_from_json(Json::parse(R"({"seeds": [1, 2], "train_sizes": [500, "full"], "variants": )" +
                                      Json(study_variant_names()).dump() + R"(, "networks": )" + networks + "}"));
}

RunRecord record(const std::string& variant, uint64_t seed, double lr, std::vector<double> test_accuracies) {
  RunRecord r{{run_id("lenet5", variant, 100, seed, lr, false), "lenet5", variant, 100, seed, lr,
               static_cast<int>(test_accuracies.size())},
              1000, 100, 5000, {}};
  for (std::size_t e = 0; e < test_accuracies.size(); ++e)
    r.epochs.push_back({static_cast<int>(e + 1), 1.0 / double(e + 1), 0.9, 0.5, test_accuracies[e],
                        std::nan(""), std::nan(""), 2.0, 3.0, 1 << 20});
  return r;
}

}  // namespace

TEST_CASE("study plan: runs, ids and skipped combinations", "[study]") {
  const StudyPlan plan = plan_study(all_variants(R"({"lenet5": {}, "allconv": {}})"), kMnist, 1000);
  REQUIRE(plan.skipped.size() == 3);
  CHECK(plan.skipped[0].network == "lenet5");
  CHECK(plan.skipped[0].variant == "grouped_g3");
  CHECK_THAT(plan.skipped[0].reason, Contains("groups=3 must divide"));
  CHECK(plan.skipped[1].variant == "matched_dense");
  CHECK_THAT(plan.skipped[1].reason, Contains("under 3%"));
  CHECK(plan.skipped[2].network == "allconv");
  CHECK(plan.skipped[2].variant == "lenet5_table");
  // (10 LeNet-5 + 11 all-conv variants) x 2 sizes x 2 seeds
  REQUIRE(plan.runs.size() == (10 + 11) * 2 * 2);
  REQUIRE(plan.macs.size() == plan.runs.size());
  CHECK(plan.macs[0] == 416520);  // LeNet-5 dense
  CHECK(plan.runs[0].id == "lenet5-dense-n500-s1");
  CHECK(plan.runs[0].lr == 0.01);
  CHECK(plan.runs[0].epochs == 3);
  CHECK(plan.runs[9].id == "lenet5-maxout-n500-s1");
  CHECK(plan.runs[10].id == "lenet5-dense-n500-s2");
  CHECK(plan.runs[20].id == "lenet5-dense-n1000-s1");  // "full" is the split's size
  CHECK(plan.runs[40].id == "allconv-dense-n500-s1");
  CHECK(plan.runs[40].lr == 0.05);
  CHECK_THROWS_WITH(plan_study(all_variants(R"({"lenet5": {"train_sizes": [5000]}})"), kMnist, 1000),
                    Contains("'networks.lenet5.train_sizes' holds 5000, more than the 1000 images"));
}

TEST_CASE("study plan: learning-rate sweep and overrides", "[study]") {
  const StudyConfig c = config_from_json(Json::parse(R"({"variants": ["dense", "shared_max"], "train_sizes": [100],
      "networks": {"lenet5": {"lr_sweep": [0.01, 0.05], "lr_override": {"shared_max": 0.02}}}})"));
  const StudyPlan plan = plan_study(c, kMnist, 1000);
  REQUIRE(plan.runs.size() == 3);
  CHECK(plan.runs[0].id == "lenet5-dense-n100-s1-lr0.01");
  CHECK(plan.runs[1].id == "lenet5-dense-n100-s1-lr0.05");
  CHECK(plan.runs[1].lr == 0.05);
  CHECK(plan.runs[2].id == "lenet5-shared_max-n100-s1");
  CHECK(plan.runs[2].lr == 0.02);
}

TEST_CASE("study networks: parameters, swapped layers and multiply-adds", "[study]") {
  const StudyConfig c = preset("smoke");
  NetworkConfig allconv;
  allconv.name = "allconv";
  allconv.widths = {24, 48, 96};
  const auto dense = build_network(c, c.networks[0], "dense", 1, kMnist);
  CHECK(dense.parameters == 61706);
  CHECK(dense.swapped_parameters == 6 * 16 * 25 + 16);
  CHECK(dense.macs == 416520);
  const auto shared = build_network(c, c.networks[0], "shared_sum", 1, kMnist);
  CHECK(shared.swapped_parameters == 16 * 25 + 16);
  CHECK(shared.parameters == 61706 - 2416 + 416);
  // stage1.conv 24->48 and stage2.conv 48->96, 3x3 without bias (batch norm follows)
  CHECK(build_network(c, allconv, "dense", 1, kMnist).swapped_parameters == 48 * 24 * 9 + 96 * 48 * 9);
  const auto matched = build_network(c, allconv, "matched_dense", 1, kMnist);
  const auto target = build_network(c, allconv, "shared_sum", 1, kMnist);
  CHECK(std::abs(double(matched.parameters) / double(target.parameters) - 1) < 0.1);
  // equal seeds, equal weights; another seed, other weights
  const auto again = build_network(c, c.networks[0], "dense", 1, kMnist);
  CHECK(allclose(again.model->state_dict()[0].second, dense.model->state_dict()[0].second, 0, 0));
  const auto other = build_network(c, c.networks[0], "dense", 2, kMnist);
  CHECK_FALSE(allclose(other.model->state_dict()[0].second, dense.model->state_dict()[0].second, 0, 0));
  CHECK_THROWS_WITH(build_network(c, allconv, "lenet5_table", 1, kMnist), Contains("allconv with lenet5_table: "));
}

TEST_CASE("study summary: mean and sample standard deviation", "[study]") {
  const Stat s = mean_std({1, 2, 3, 4});
  CHECK(s.mean == 2.5);
  CHECK(s.std == Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));
  CHECK(s.n == 4);
  CHECK(mean_std({0.7}).std == 0);
  const Stat with_nan = mean_std({1, std::nan(""), 3});
  CHECK(with_nan.mean == 2);
  CHECK(with_nan.n == 2);
  CHECK(std::isnan(mean_std({}).mean));
  CHECK(mean_std({}).n == 0);
  CHECK(to_json(mean_std({})) == Json::parse(R"({"mean": null, "std": null, "n": 0})"));
}

TEST_CASE("study summary: run outcomes and groups over seeds", "[study]") {
  const RunRecord r = record("dense", 1, 0.01, {0.5, 0.8, 0.7});
  const RunOutcome o = outcome(r, 0.75);
  CHECK(o.test_accuracy == 0.7);
  CHECK(o.best_test_accuracy == 0.8);
  CHECK(o.gap == Approx(0.2));
  CHECK(o.epochs_to_target == 2);
  CHECK(o.seconds_to_target == 4.0);  // two epochs of 2 s training
  CHECK(o.seconds_per_epoch == 3.0);
  CHECK(std::isnan(outcome(r, 0.9).epochs_to_target));

  const auto groups = summarize({record("dense", 1, 0.01, {0.6}), record("dense", 2, 0.01, {0.8}),
                                 record("dense", 1, 0.05, {0.9}), record("shared_max", 1, 0.01, {0.4, 0.5})},
                                config_from_json(Json::parse(R"({"networks": {"lenet5": {"target_accuracy": 0.7}}})")));
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].variant == "dense");
  CHECK(groups[0].seeds == std::vector<uint64_t>{1, 2});
  CHECK(groups[0].test_accuracy.mean == Approx(0.7));
  CHECK(groups[0].test_accuracy.std == Approx(std::sqrt(0.02)));
  CHECK(groups[0].target_accuracy == 0.7);
  CHECK(groups[0].reached_target == 1);
  CHECK_FALSE(groups[0].selected);  // 0.05 did better
  CHECK(groups[1].lr == 0.05);
  CHECK(groups[1].selected);
  CHECK(groups[2].variant == "shared_max");
  CHECK(groups[2].selected);
  CHECK(to_json(groups[2])["test_accuracy"]["mean"] == 0.5);
  CHECK_THROWS_WITH(summarize({record("dense", 1, 0.01, {0.6})}, config_from_json(Json::parse(R"({"networks": {"allconv": {}}})"))),
                    Contains("network lenet5 is not in the configuration"));
}

TEST_CASE("study records: JSON round trip and CSV rows", "[study]") {
  RunRecord r = record("shared_sum", 3, 0.02, {0.25, 0.5});
  r.epochs[1].train_eval_accuracy = 0.75;
  const RunRecord back = run_record_from_json(Json::parse(to_json(r).dump()));
  CHECK(back.spec == r.spec);
  CHECK(back.macs == 5000);
  REQUIRE(back.epochs.size() == 2);
  CHECK(std::isnan(back.epochs[0].train_eval_accuracy));
  CHECK(back.epochs[1].train_eval_accuracy == 0.75);
  CHECK(back.finished());
  CHECK_THROWS_WITH(run_record_from_json(Json::parse(R"({"run_id": "x"})")), Contains("missing field 'network'"));

  const auto row = csv_row(r, 1);
  std::vector<std::string> columns;
  for (const auto& [name, value] : row) columns.push_back(name);
  CHECK(columns == std::vector<std::string>{"run_id", "network", "variant", "train_size", "seed", "lr", "epochs",
                                            "parameters", "swapped_parameters", "macs", "epoch", "train_loss",
                                            "train_accuracy", "test_loss", "test_accuracy", "train_eval_loss",
                                            "train_eval_accuracy", "train_seconds", "epoch_seconds", "peak_rss_bytes",
                                            "gap", "cumulative_train_seconds"});
  CHECK(std::get<std::string>(row[0].second) == "lenet5-shared_sum-n100-s3");
  CHECK(std::get<int64_t>(row[10].second) == 2);
  CHECK(std::get<double>(row[20].second) == 0.75 - 0.5);  // the evaluated training accuracy
  CHECK(std::get<double>(csv_row(r, 0)[20].second) == 0.9 - 0.25);  // else the training pass's
  CHECK(std::get<double>(row[21].second) == 4.0);
}

TEST_CASE("study ETA from measured seconds per image", "[study]") {
  std::vector<RunSpec> runs = {{"a", "lenet5", "dense", 1000, 1, 0.01, 2},
                               {"b", "lenet5", "shared_max", 2000, 1, 0.01, 2},
                               {"c", "allconv", "dense", 1000, 1, 0.05, 1}};
  StudyEta eta(runs, {0, 0, 0}, {100, 200, 1000});
  CHECK(std::isnan(eta.remaining()));
  eta.epoch_done(0, 1.0);  // 1 ms per lenet5 dense image of 100 multiply-adds
  // a: 1 epoch x 1000 x 1 ms; b and c not measured: images x their MACs x 1 s / (1000 x 100)
  CHECK(eta.remaining() == Approx(1.0 + 2 * 2000 * 200 / 1e5 + 1000 * 1000 / 1e5));
  eta.epoch_done(1, 8.0);  // shared_max: 4 ms per image
  // c: 9 s over 1000 x 100 + 2000 x 200 image-MACs
  CHECK(eta.remaining() == Approx(1.0 + 8.0 + 1000 * 1000 * 9.0 / 5e5));
  CHECK_THAT(eta.line(), Contains("study: 0/3 runs done, elapsed 0:00, eta 0:27"));
  CHECK(format_duration(3725) == "1:02:05");
  CHECK(format_duration(65) == "1:05");
  CHECK(format_duration(std::nan("")) == "?");
}
