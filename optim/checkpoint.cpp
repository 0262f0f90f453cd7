#include "optim/checkpoint.hpp"

#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "framework/checkpoint_file.hpp"
#include "framework/factories.hpp"
#include "framework/random.hpp"
#include "optim/checkpoint_layout.hpp"

namespace tapenet::optim {

namespace checkpoint_layout {

std::vector<std::string> optimizer_param_names(const Module& model, const Optimizer& optimizer) {
  std::map<const TensorImpl*, std::string> by_impl;
  for (const auto& [name, p] : model.named_parameters()) by_impl.emplace(p.impl().get(), name);
  std::vector<std::string> out;
  for (const ParamGroup& group : optimizer.param_groups())
    for (const Tensor& p : group.params) {
      auto it = by_impl.find(p.impl().get());
      out.push_back(it == by_impl.end() ? "" : it->second);
    }
  return out;
}

}  // namespace checkpoint_layout

namespace {

using namespace checkpoint_layout;

/// "2026-12-04T23:19:10Z".
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Dotted keys of the weights of convolutions (4-D `weight` of a module whose type ends in "Conv2d").
void conv_weight_keys(const Module& module, const std::string& prefix, std::set<std::string>& out) {
  const std::string& type = module.type_name();
  const bool conv = type.size() >= 6 && type.compare(type.size() - 6, 6, "Conv2d") == 0;
  for (const auto& [name, p] : module.named_parameters(false))
    if (conv && name == "weight" && p.dim() == 4) out.insert(prefix + name);
  for (const auto& [name, child] : module.named_children()) conv_weight_keys(*child, prefix + name + ".", out);
}

Hdf5Group model_group(const Module& model) {
  std::set<std::string> convs;
  conv_weight_keys(model, "", convs);
  Hdf5Group group;
  for (const auto& [key, t] : model.state_dict()) {
    Hdf5Dataset& ds = put_dotted(group, key, t.detach());
    if (convs.count(key)) ds.attributes[kLayoutAttr] = std::string("OIHW");
  }
  return group;
}

Hdf5Attributes hyperparameter_attributes(const Hyperparameters& options) {
  Hdf5Attributes out;
  for (const auto& [name, value] : options) out[name] = value;
  return out;
}

Hdf5Group optimizer_group(const Module& model, const Optimizer& optimizer) {
  const std::vector<std::string> names = optimizer_param_names(model, optimizer);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i].empty())
      throw ValueError("save_checkpoint: optimizer parameter " + std::to_string(i) +
                       " is not a parameter of the model");
  Hdf5Group group;
  group.attributes = hyperparameter_attributes(optimizer.defaults());
  group.attributes[kTypeAttr] = optimizer.type_name();
  const OptimizerStateDict dict = optimizer.state_dict();
  Hdf5Group& groups = group.groups[kParamGroups];
  for (std::size_t g = 0; g < dict.param_groups.size(); ++g) {
    Hdf5Group& pg = groups.groups[std::to_string(g)];
    pg.attributes = hyperparameter_attributes(dict.param_groups[g].options);
    std::vector<std::string> params;
    for (int64_t index : dict.param_groups[g].params) params.push_back(names[static_cast<std::size_t>(index)]);
    pg.attributes[kParamsAttr] = std::move(params);
  }
  Hdf5Group& state = group.groups[kState];
  for (const StateEntry& e : dict.state)
    put_dotted(state, names[static_cast<std::size_t>(e.param_index)] + "." + e.name, e.tensor);
  return group;
}

Hdf5Group scheduler_group(const LRScheduler& scheduler) {
  const SchedulerState state = scheduler.state_dict();
  Hdf5Group group;
  for (const auto& [name, value] : state.scalars) group.attributes[name] = value;
  group.attributes[kTypeAttr] = state.type;
  for (const auto& [name, values] : state.vectors)
    group.datasets[name] = {from_vector(values, {static_cast<int64_t>(values.size())}), {}};
  return group;
}

Hdf5Group meta_group(const CheckpointMeta& meta) {
  const nlohmann::json user = nlohmann::json::parse(meta.user_json, nullptr, false);
  if (user.is_discarded() || !user.is_object())
    throw ValueError("save_checkpoint: the user metadata must be a JSON object, got: " + meta.user_json);
  Hdf5Group group;
  group.attributes[kEpochAttr] = meta.epoch;
  group.attributes[kGlobalStepAttr] = meta.global_step;
  group.attributes[kUserJsonAttr] = meta.user_json;
  Hdf5Group& generators = group.groups[kGenerators];
  for (const auto& [name, state] : meta.generators) generators.attributes[name] = state;
  generators.attributes.emplace(kDefaultGenerator, default_generator().state());
  if (meta.loader) {
    Hdf5Group& loader = group.groups[kLoader];
    loader.attributes[kEpochAttr] = meta.loader->epoch;
    loader.attributes[kPositionAttr] = meta.loader->position;
  }
  return group;
}

}  // namespace

void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer,
                     const LRScheduler* scheduler, const CheckpointMeta& meta) {
  Hdf5Group root;
  root.attributes[kFormatAttr] = std::string(kFormat);
  root.attributes[kVersionAttr] = kCheckpointFormatVersion;
  root.attributes[kFrameworkAttr] = std::string(TAPENET_VERSION);
  root.attributes[kCreatedAttr] = utc_now();
  root.groups[kModel] = model_group(model);
  if (optimizer) root.groups[kOptimizer] = optimizer_group(model, *optimizer);
  if (scheduler) root.groups[kScheduler] = scheduler_group(*scheduler);
  root.groups[kMeta] = meta_group(meta);
  write_file_atomically(path, root);
}

}  // namespace tapenet::optim
