#pragma once
/// \file The names of the checkpoint layout (docs/CHECKPOINTS.md) shared by the writer
/// (checkpoint.cpp) and the reader (checkpoint_load.cpp). Internal to the checkpoint code.
#include <string>
#include <vector>

#include "framework/module.hpp"
#include "optim/optimizer.hpp"

namespace tapenet::optim::checkpoint_layout {

inline constexpr const char* kFormat = "tapenet-checkpoint";
// Root attributes.
inline constexpr const char* kFormatAttr = "format";
inline constexpr const char* kVersionAttr = "format_version";
inline constexpr const char* kFrameworkAttr = "tapenet_version";
inline constexpr const char* kCreatedAttr = "created";
// Top-level groups and their members.
inline constexpr const char* kModel = "model";
inline constexpr const char* kOptimizer = "optimizer";
inline constexpr const char* kParamGroups = "param_groups";
inline constexpr const char* kState = "state";
inline constexpr const char* kScheduler = "scheduler";
inline constexpr const char* kMeta = "meta";
inline constexpr const char* kGenerators = "generators";
inline constexpr const char* kLoader = "loader";
// Attributes of /optimizer, /scheduler, a parameter group, /meta and /meta/loader.
inline constexpr const char* kTypeAttr = "type";
inline constexpr const char* kParamsAttr = "params";
inline constexpr const char* kLayoutAttr = "layout";
inline constexpr const char* kEpochAttr = "epoch";
inline constexpr const char* kGlobalStepAttr = "global_step";
inline constexpr const char* kPositionAttr = "position";
inline constexpr const char* kUserJsonAttr = "user_json";
/// The meta generator entry of the default generator.
inline constexpr const char* kDefaultGenerator = "default";

/// The dotted model name of each optimizer parameter, by flat index; "" for a parameter that is
/// not a parameter of `model` (matched by identity, the first name when shared).
std::vector<std::string> optimizer_param_names(const Module& model, const Optimizer& optimizer);

}  // namespace tapenet::optim::checkpoint_layout
