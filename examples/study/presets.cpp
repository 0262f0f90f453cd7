#include "examples/study/presets.hpp"

#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

/// The presets as the JSON a user would write (docs/STUDY.md shows them).
const char* preset_json(const std::string& name) {
  if (name == "default")
    return R"({
      "test_size": 5000, "train_eval_size": 2000, "seeds": [1, 2],
      "variants": ["dense", "lenet5_table", "random_table", "grouped_g2", "grouped_g3", "shared_sum",
                   "shared_mean", "shared_max", "bsconv_u", "depthwise_separable", "matched_dense", "maxout"],
      "networks": {
        "lenet5": {"epochs": 3, "train_sizes": [10000], "lr": 0.01, "target_accuracy": 0.8},
        "allconv": {"epochs": 3, "train_sizes": [6000], "lr": 0.05, "target_accuracy": 0.75}
      }
    })";
  if (name == "full")
    return R"({
      "train_eval_size": 5000, "seeds": [1, 2, 3],
      "variants": ["dense", "lenet5_table", "random_table", "grouped_g2", "grouped_g3", "shared_sum",
                   "shared_mean", "shared_max", "bsconv_u", "depthwise_separable", "matched_dense", "maxout"],
      "networks": {
        "lenet5": {"epochs": 15, "train_sizes": [1000, 5000, 20000, "full"], "lr": 0.01, "target_accuracy": 0.85},
        "allconv": {"epochs": 10, "train_sizes": [1000, 5000, 20000], "lr": 0.05, "target_accuracy": 0.85}
      }
    })";
  if (name == "smoke")
    return R"({
      "test_size": 200, "seeds": [1], "variants": ["dense", "shared_sum"],
      "networks": {"lenet5": {"epochs": 1, "train_sizes": [256]}}
    })";
  return nullptr;
}

}  // namespace

const std::vector<PresetInfo>& presets() {
  static const std::vector<PresetInfo> list = {
      {"default", "every variant on LeNet-5 (10k images) and the all-conv net (6k images), 3 epochs, 2 seeds, "
                  "5k test images: about 4 minutes on 2 cores"},
      {"full", "every variant, 3 seeds, LeNet-5 (15 epochs; 1k, 5k, 20k, 60k images) and the all-conv net "
               "(10 epochs; 1k, 5k, 20k images), the whole test set: about 2 hours on 2 cores"},
      {"smoke", "LeNet-5 dense vs shared_sum, 256 images, 1 epoch, 1 seed: seconds (a quick check)"}};
  return list;
}

StudyConfig preset(const std::string& name) {
  const char* json = preset_json(name);
  if (!json) {
    std::string valid;
    for (const PresetInfo& p : presets()) valid.append(valid.empty() ? "" : ", ").append(p.name);
    throw ValueError("study: unknown preset \"" + name + "\" (valid: " + valid + ")");
  }
  Json parsed = Json::parse(json);
  parsed["name"] = name;
  return config_from_json(parsed);
}

}  // namespace tapenet::study
