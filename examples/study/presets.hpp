#pragma once
/// \file The study's named configurations: "default" (the README's main job, minutes), "full"
/// (hours, every variant, both networks, a training-set-size sweep) and "smoke" (seconds, for tests).
#include <string>
#include <vector>

#include "examples/study/config.hpp"

namespace tapenet::study {

/// A preset's name and what it is for (with its expected run time on the 2-core development machine).
struct PresetInfo {
  std::string name;
  std::string description;
};

/// Every preset, in the order above.
const std::vector<PresetInfo>& presets();

/// The configuration of preset `name` (its `name` field set). Throws ValueError listing the presets.
StudyConfig preset(const std::string& name);

}  // namespace tapenet::study
