// The study's configuration: JSON parsing, the errors naming the key, canonical JSON and presets.
#include <catch2/catch.hpp>

#include <fstream>

#include "examples/study/config.hpp"
#include "examples/study/presets.hpp"
#include "framework/errors.hpp"
#include "test_datasets_util.hpp"

using namespace tapenet;
using namespace tapenet::study;
using Catch::Contains;

namespace {

StudyConfig parse(const std::string& text) { return config_from_json(Json::parse(text)); }

}  // namespace

TEST_CASE("study config: defaults and per-network overrides", "[study]") {
  const StudyConfig c = parse(R"({"epochs": 4, "train_sizes": [1000, "full"], "variants": ["dense", "shared_max"],
      "networks": {"allconv": {"lr": 0.1, "widths": [12, 24]}, "lenet5": {"epochs": 2, "lr_sweep": [0.01, 0.03]}}})");
  CHECK(c.dataset == "fashion-mnist");
  CHECK(c.seeds == std::vector<uint64_t>{1});
  CHECK(c.batch_size == 64);
  CHECK(c.momentum == 0.9);
  CHECK(c.variants == std::vector<std::string>{"dense", "shared_max"});
  REQUIRE(c.networks.size() == 2);
  CHECK(c.networks[0].name == "allconv");  // the file's order
  CHECK(c.networks[0].epochs == 4);
  CHECK(c.networks[0].train_sizes == std::vector<int64_t>{1000, 0});
  CHECK(c.networks[0].lr == 0.1);
  CHECK(c.networks[0].widths == std::vector<int64_t>{12, 24});
  CHECK(c.networks[0].batch_norm);
  CHECK(c.networks[1].name == "lenet5");
  CHECK(c.networks[1].epochs == 2);
  CHECK(c.networks[1].lr == 0.01);
  CHECK(c.networks[1].lr_sweep == std::vector<double>{0.01, 0.03});
  CHECK(config_from_json(config_to_json(c)) == c);
  CHECK(config_to_json(c)["networks"]["allconv"]["train_sizes"] == Json::parse(R"([1000, "full"])"));
}

TEST_CASE("study config: errors name the key and the problem", "[study]") {
  CHECK_THROWS_AS(parse(R"({"epoch": 3})"), ValueError);
  CHECK_THROWS_WITH(parse(R"({"epoch": 3})"), Contains("'epoch' is not a known key") && Contains("epochs"));
  CHECK_THROWS_WITH(parse(R"({"epochs": 0})"), Contains("'epochs' must be an integer >= 1, got 0"));
  CHECK_THROWS_WITH(parse(R"({"networks": {"allconv": {"lr": -1}}})"),
                    Contains("'networks.allconv.lr' must be a positive number, got -1"));
  CHECK_THROWS_WITH(parse(R"({"networks": {"lenet5": {"widths": [6]}}})"),
                    Contains("'networks.lenet5.widths' is not a known key"));
  CHECK_THROWS_WITH(parse(R"({"variants": ["dense", "sharedsum"]})"),
                    Contains("'variants[1]' has unknown value \"sharedsum\"") && Contains("shared_sum"));
  CHECK_THROWS_WITH(parse(R"({"variants": []})"), Contains("'variants' must be a non-empty array"));
  CHECK_THROWS_WITH(parse(R"({"train_sizes": ["all"]})"), Contains("'train_sizes[0]' must be \"full\""));
  CHECK_THROWS_WITH(parse(R"({"networks": {"resnet": {}}})"), Contains("'networks' has unknown value \"resnet\""));
  CHECK_THROWS_WITH(parse(R"({"dataset": "mnist"})"), Contains("'data' must name the directory of mnist"));
  CHECK_THROWS_WITH(parse(R"({"dataset": "svhn"})"), Contains("'dataset' has unknown value \"svhn\""));
  CHECK_THROWS_WITH(parse(R"({"seeds": [-1]})"), Contains("'seeds[0]' must be an integer >= 0"));
  CHECK_THROWS_WITH(parse(R"({"target_accuracy": 85})"), Contains("'target_accuracy' must be a fraction"));
  CHECK_THROWS_WITH(parse(R"({"networks": {"allconv": {"target_accuracy": 2}}})"),
                    Contains("'networks.allconv.target_accuracy' must be a fraction"));
  CHECK_THROWS_WITH(parse(R"({"networks": {"lenet5": {"lr_override": {"shared_max": "fast"}}}})"),
                    Contains("'networks.lenet5.lr_override.shared_max' must be a positive number"));
  CHECK_THROWS_WITH(parse(R"([1, 2])"), Contains("'(top level)' must be a JSON object"));
}

TEST_CASE("study config: files", "[study]") {
  testing::TempDir dir;
  CHECK_THROWS_AS(load_config_file(dir.file("missing.json")), IOError);
  CHECK_THROWS_WITH(load_config_file(dir.file("missing.json")), Contains(dir.file("missing.json")));
  testing::write_bytes(dir.file("bad.json"), "{\"epochs\": ");
  CHECK_THROWS_AS(load_config_file(dir.file("bad.json")), IOError);
  CHECK_THROWS_WITH(load_config_file(dir.file("bad.json")), Contains("bad.json: not valid JSON"));
  testing::write_bytes(dir.file("wrong.json"), "{\"batch_size\": \"big\"}");
  CHECK_THROWS_AS(load_config_file(dir.file("wrong.json")), ValueError);
  CHECK_THROWS_WITH(load_config_file(dir.file("wrong.json")), Contains("wrong.json: study config: 'batch_size'"));
  testing::write_bytes(dir.file("ok.json"), R"({"name": "mine", "seeds": [3, 4], "threads": 2})");
  const StudyConfig c = load_config_file(dir.file("ok.json"));
  CHECK(c.name == "mine");
  CHECK(c.seeds == std::vector<uint64_t>{3, 4});
  CHECK(c.threads == 2);
  CHECK_FALSE(config_identity(c).contains("threads"));
  CHECK(config_identity(c)["seeds"] == Json::parse("[3, 4]"));
}

TEST_CASE("study presets", "[study]") {
  REQUIRE(presets().size() == 3);
  CHECK(presets()[0].name == "default");
  const StudyConfig d = preset("default");
  CHECK(d.name == "default");
  CHECK(d.variants == study_variant_names());
  CHECK(d.seeds.size() == 2);
  REQUIRE(d.networks.size() == 2);
  CHECK(d.networks[0].name == "lenet5");
  CHECK(d.networks[0].lr == 0.01);
  CHECK(d.networks[1].name == "allconv");
  CHECK(d.networks[1].lr == 0.05);
  CHECK(d.networks[1].widths == std::vector<int64_t>{24, 48, 96});
  CHECK(d.test_size == 5000);
  const StudyConfig f = preset("full");
  CHECK(f.seeds.size() >= 3);
  CHECK(f.test_size == 0);
  CHECK(f.networks[0].train_sizes == std::vector<int64_t>{1000, 5000, 20000, 0});
  CHECK(f.networks[1].train_sizes.size() == 3);
  const StudyConfig s = preset("smoke");
  CHECK(s.networks.size() == 1);
  CHECK(s.variants.size() == 2);
  for (const auto& p : presets()) CHECK(config_from_json(config_to_json(preset(p.name))) == preset(p.name));
  CHECK_THROWS_AS(preset("fast"), ValueError);
  CHECK_THROWS_WITH(preset("fast"), Contains("unknown preset \"fast\" (valid: default, full, smoke)"));
}
