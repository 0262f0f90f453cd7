// load_checkpoint: the file is read into memory and parsed (IOError for a file that is not a
// readable checkpoint), then loaded into the model, optimizer and scheduler, each of which checks
// everything before it changes anything. Every problem is collected; if there is any, whatever was
// already loaded is restored from a snapshot and one ValueError lists them all.
#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "framework/checkpoint_file.hpp"
#include "framework/random.hpp"
#include "optim/checkpoint.hpp"
#include "optim/checkpoint_layout.hpp"

namespace tapenet::optim {

namespace {

using namespace checkpoint_layout;

/// Typed access to the tree read from `file`; a missing entry or one of the wrong type throws
/// IOError naming the file and the entry.
class TreeReader {
 public:
  explicit TreeReader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::string msg = file_;
    msg.append(": ").append(what);
    throw IOError(msg);
  }
  const Hdf5Group& group(const Hdf5Group& parent, const std::string& name, const std::string& where) const {
    auto it = parent.groups.find(name);
    if (it == parent.groups.end()) fail("missing group " + where + "/" + name);
    return it->second;
  }
  template <class T>
  const T& attribute(const Hdf5Attributes& attrs, const std::string& name, const std::string& where) const {
    auto it = attrs.find(name);
    if (it == attrs.end()) fail("missing attribute " + name + " of " + where);
    if (!std::holds_alternative<T>(it->second)) fail("attribute " + name + " of " + where + " has the wrong type");
    return std::get<T>(it->second);
  }
  /// An integer or floating attribute value as a double.
  double number(const Hdf5Attribute& value, const std::string& what) const {
    if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&value)) return *d;
    fail(what + " is not a number");
  }

 private:
  const std::string& file_;
};

/// The /optimizer section: state keyed by parameter name.
struct FileOptimizer {
  std::string type;
  std::vector<Hyperparameters> options;                   ///< per group
  std::vector<std::vector<std::string>> params;           ///< per group, parameter names
  std::vector<std::pair<std::string, StateEntry>> state;  ///< parameter name, entry (index unset)
};

void check_format(const TreeReader& in, const Hdf5Group& root) {
  auto format = root.attributes.find(kFormatAttr);
  if (format == root.attributes.end() || format->second != Hdf5Attribute(std::string(kFormat)))
    in.fail(std::string("not a tapenet checkpoint (no root attribute format = \"") + kFormat + "\")");
  const int64_t version = in.attribute<int64_t>(root.attributes, kVersionAttr, "/");
  if (version < 1 || version > kCheckpointFormatVersion)
    in.fail("format_version " + std::to_string(version) + " is not supported: this tapenet (" + TAPENET_VERSION +
            ") reads versions 1 to " + std::to_string(kCheckpointFormatVersion));
}

Hyperparameters hyperparameters(const TreeReader& in, const Hdf5Attributes& attrs, const std::string& where,
                                const char* skip) {
  Hyperparameters out;
  for (const auto& [name, value] : attrs)
    if (name != skip) out[name] = in.number(value, "attribute " + name + " of " + where);
  return out;
}

FileOptimizer read_optimizer(const TreeReader& in, const Hdf5Group& section) {
  FileOptimizer out;
  out.type = in.attribute<std::string>(section.attributes, kTypeAttr, "/optimizer");
  const Hdf5Group& groups = in.group(section, kParamGroups, "/optimizer");
  for (std::size_t g = 0; g < groups.groups.size(); ++g) {
    const std::string where = "/optimizer/param_groups/" + std::to_string(g);
    const Hdf5Group& pg = in.group(groups, std::to_string(g), "/optimizer/param_groups");
    out.options.push_back(hyperparameters(in, pg.attributes, where, kParamsAttr));
    out.params.push_back(in.attribute<std::vector<std::string>>(pg.attributes, kParamsAttr, where));
  }
  for (const auto& [key, ds] : dotted_datasets(in.group(section, kState, "/optimizer"))) {
    const std::size_t dot = key.rfind('.');
    if (dot == std::string::npos) in.fail("optimizer state /optimizer/state/" + key + " is not under a parameter");
    out.state.push_back({key.substr(0, dot), StateEntry{0, key.substr(dot + 1), ds->tensor}});
  }
  return out;
}

SchedulerState read_scheduler(const TreeReader& in, const Hdf5Group& section) {
  SchedulerState out;
  out.type = in.attribute<std::string>(section.attributes, kTypeAttr, "/scheduler");
  for (const auto& [name, value] : section.attributes)
    if (name != kTypeAttr) out.scalars[name] = in.number(value, "attribute " + name + " of /scheduler");
  for (const auto& [name, ds] : section.datasets) {
    if (ds.tensor.dtype() != DType::f64 || ds.tensor.dim() != 1)
      in.fail("dataset /scheduler/" + name + " is not a float64 vector");
    const double* p = ds.tensor.data<double>();
    out.vectors[name].assign(p, p + ds.tensor.numel());
  }
  return out;
}

CheckpointMeta read_meta(const TreeReader& in, const Hdf5Group& section) {
  CheckpointMeta meta;
  meta.epoch = in.attribute<int64_t>(section.attributes, kEpochAttr, "/meta");
  meta.global_step = in.attribute<int64_t>(section.attributes, kGlobalStepAttr, "/meta");
  meta.user_json = in.attribute<std::string>(section.attributes, kUserJsonAttr, "/meta");
  const Hdf5Group& generators = in.group(section, kGenerators, "/meta");
  for (const auto& [name, value] : generators.attributes)
    meta.generators[name] = in.attribute<std::string>(generators.attributes, name, "/meta/generators");
  if (auto it = section.groups.find(kLoader); it != section.groups.end())
    meta.loader = LoaderPosition{in.attribute<int64_t>(it->second.attributes, kEpochAttr, "/meta/loader"),
                                 in.attribute<int64_t>(it->second.attributes, kPositionAttr, "/meta/loader")};
  return meta;
}

std::string names_str(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out.append(i ? ", " : "").append(names[i]);
  return out + "]";
}

/// The file's optimizer state as a state dict of `optimizer` (flat indices of its parameters by
/// name). Adds a line to `problems` for every mismatch found here; the optimizer checks the rest.
OptimizerStateDict optimizer_dict(const Module& model, const Optimizer& optimizer, const FileOptimizer& file,
                                  bool strict, std::vector<std::string>& problems) {
  OptimizerStateDict dict;
  if (file.type != optimizer.type_name()) {
    problems.push_back("optimizer: the checkpoint holds " + file.type + " state, the optimizer is " +
                       optimizer.type_name());
    return dict;
  }
  const auto& groups = optimizer.param_groups();
  if (file.options.size() != groups.size()) {
    problems.push_back("optimizer: the checkpoint has " + std::to_string(file.options.size()) +
                       " parameter groups, the optimizer " + std::to_string(groups.size()));
    return dict;
  }
  const std::vector<std::string> names = optimizer_param_names(model, optimizer);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i].empty())
      problems.push_back("optimizer: parameter " + std::to_string(i) + " is not a parameter of the model");
  std::map<std::string, int64_t> index_of;
  std::vector<const Tensor*> params;
  int64_t index = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    OptimizerStateDict::Group group{file.options[g], {}};
    std::vector<std::string> own;
    for (std::size_t k = 0; k < groups[g].params.size(); ++k, ++index) {
      group.params.push_back(index);
      params.push_back(&groups[g].params[k]);
      own.push_back(names[static_cast<std::size_t>(index)]);
      index_of.emplace(own.back(), index);
    }
    if (strict && std::set<std::string>(own.begin(), own.end()) !=
                      std::set<std::string>(file.params[g].begin(), file.params[g].end()))
      problems.push_back("optimizer: parameter group " + std::to_string(g) + " holds " + names_str(file.params[g]) +
                         " in the checkpoint, " + names_str(own) + " in the optimizer");
    dict.param_groups.push_back(std::move(group));
  }
  for (const auto& [name, entry] : file.state) {
    auto it = index_of.find(name);
    if (it == index_of.end()) {
      if (strict)
        problems.push_back("optimizer: state '" + entry.name + "' of " + name + ", not a parameter of the optimizer");
      continue;
    }
    const Tensor& p = *params[static_cast<std::size_t>(it->second)];
    const Tensor& t = entry.tensor;
    if (entry.name != "step" && (t.shape() != p.shape() || t.dtype() != p.dtype())) {
      problems.push_back("optimizer: size or dtype mismatch for state '" + entry.name + "' of " + name +
                         ": checkpoint " + shape_str(t.shape()) + " " + dtype_name(t.dtype()) + ", parameter " +
                         shape_str(p.shape()) + " " + dtype_name(p.dtype()));
      continue;
    }
    dict.state.push_back(StateEntry{it->second, entry.name, entry.tensor});
  }
  std::sort(dict.state.begin(), dict.state.end(), [](const StateEntry& a, const StateEntry& b) {
    return std::tie(a.param_index, a.name) < std::tie(b.param_index, b.name);
  });
  return dict;
}

}  // namespace

CheckpointLoadResult load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer,
                                     LRScheduler* scheduler, bool strict) {
  const TreeReader in(path);
  if (is_temporary_checkpoint_name(path)) in.fail("a temporary file of an unfinished save, not a checkpoint");
  const Hdf5Group root = read_hdf5_file(path);
  check_format(in, root);
  StateDict model_dict;
  for (const auto& [key, ds] : dotted_datasets(in.group(root, kModel, ""))) model_dict.emplace_back(key, ds->tensor);
  CheckpointLoadResult result;
  result.meta = read_meta(in, in.group(root, kMeta, ""));
  std::vector<std::string> problems;
  std::optional<FileOptimizer> file_optimizer;
  if (optimizer && !root.groups.count(kOptimizer))
    problems.push_back("optimizer: the checkpoint has no optimizer state");
  if (optimizer && root.groups.count(kOptimizer)) file_optimizer = read_optimizer(in, root.groups.at(kOptimizer));
  std::optional<SchedulerState> file_scheduler;
  if (scheduler && !root.groups.count(kScheduler))
    problems.push_back("scheduler: the checkpoint has no scheduler state");
  if (scheduler && root.groups.count(kScheduler)) file_scheduler = read_scheduler(in, root.groups.at(kScheduler));
  for (const auto& [name, state] : result.meta.generators) {
    try {
      Generator().set_state(state);
    } catch (const ValueError&) {
      problems.push_back("meta: generator '" + name + "' has a malformed state");
    }
  }

  // Snapshots to restore if anything fails; each load_state_dict below changes nothing on error.
  StateDict model_backup;
  for (const auto& [key, t] : model.state_dict()) model_backup.emplace_back(key, t.clone());
  const std::optional<OptimizerStateDict> optimizer_backup =
      optimizer ? std::optional(optimizer->state_dict()) : std::nullopt;
  const std::optional<SchedulerState> scheduler_backup =
      scheduler ? std::optional(scheduler->state_dict()) : std::nullopt;
  const auto attempt = [&](const char* what, auto&& load) {
    try {
      load();
    } catch (const ValueError& e) {
      problems.push_back(std::string(what) + ": " + e.what());
    }
  };
  attempt("model", [&] {
    const LoadStateDictResult r = model.load_state_dict(model_dict, strict);
    result.missing_keys = r.missing_keys;
    result.unexpected_keys = r.unexpected_keys;
  });
  if (file_optimizer) {
    const std::size_t before = problems.size();
    const OptimizerStateDict dict = optimizer_dict(model, *optimizer, *file_optimizer, strict, problems);
    if (problems.size() == before) attempt("optimizer", [&] { optimizer->load_state_dict(dict); });
  }
  if (file_scheduler) attempt("scheduler", [&] { scheduler->load_state_dict(*file_scheduler); });
  if (!problems.empty()) {
    model.load_state_dict(model_backup);
    if (optimizer) optimizer->load_state_dict(*optimizer_backup);
    if (scheduler) scheduler->load_state_dict(*scheduler_backup);
    std::string msg = path;
    msg.append(": cannot load the checkpoint:");
    for (const std::string& p : problems) msg.append("\n  ").append(p);
    throw ValueError(msg);
  }
  if (auto it = result.meta.generators.find(kDefaultGenerator); it != result.meta.generators.end())
    default_generator().set_state(it->second);
  return result;
}

}  // namespace tapenet::optim
