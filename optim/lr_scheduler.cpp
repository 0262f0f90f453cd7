#include "optim/lr_scheduler.hpp"

#include <cmath>

#include "optim/format_value.hpp"

namespace tapenet::optim {

namespace {

/// Throws ValueError naming the first key of `own` missing from `loaded`, else the first key of
/// `loaded` that `own` lacks.
template <class Map>
void require_same_keys(const Map& own, const Map& loaded, const std::string& who) {
  for (const auto& [key, value] : own)
    if (!loaded.count(key)) throw ValueError(who + "missing key '" + key + "'");
  for (const auto& [key, value] : loaded)
    if (!own.count(key)) throw ValueError(who + "unexpected key '" + key + "'");
}

}  // namespace

LRScheduler::LRScheduler(std::string type_name, Optimizer& optimizer)
    : type_name_(std::move(type_name)), optimizer_(optimizer) {}

void LRScheduler::initial_step() {
  for (ParamGroup& group : optimizer_.param_groups()) {
    group.options.emplace("initial_lr", group.lr());
    base_lrs_.push_back(group.get("initial_lr"));
  }
  step();
}

void LRScheduler::step() {
  if (num_groups() != base_lrs_.size())
    throw ValueError(type_name_ + ": the optimizer has " + std::to_string(num_groups()) +
                     " parameter groups, the scheduler was built for " + std::to_string(base_lrs_.size()));
  ++last_epoch_;
  std::vector<double> lrs;
  try {
    lrs = get_lr();
  } catch (...) {
    --last_epoch_;
    throw;
  }
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i].set_lr(lrs[i]);
  last_lr_ = std::move(lrs);
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.lr());
  return lrs;
}

void LRScheduler::require(bool ok, const std::string& what, double value) const {
  if (ok) return;
  std::string msg = type_name_;
  msg.append(": ").append(what).append(", got ").append(detail::format_value(value));
  throw ValueError(msg);
}

int64_t LRScheduler::integer(double value, const std::string& key) const {
  require(std::isfinite(value) && std::floor(value) == value && std::abs(value) < 0x1p53,
          "'" + key + "' must be an integer", value);
  return static_cast<int64_t>(value);
}

const std::vector<double>& LRScheduler::per_group(const SchedulerState& state, const std::string& key) const {
  const std::vector<double>& v = state.vectors.at(key);
  require(v.size() == num_groups(),
          "'" + key + "' needs one value per parameter group (" + std::to_string(num_groups()) + ")",
          static_cast<double>(v.size()));
  return v;
}

SchedulerState LRScheduler::state_dict() const {
  SchedulerState state{
      type_name_, {{"last_epoch", static_cast<double>(last_epoch_)}}, {{"base_lrs", base_lrs_}, {"last_lr", last_lr_}}};
  save_hyperparameters(state);
  return state;
}

void LRScheduler::load_state_dict(const SchedulerState& state) {
  const std::string who = type_name_ + ".load_state_dict: ";
  if (state.type != type_name_) throw ValueError(who + "the state is of type '" + state.type + "'");
  const SchedulerState own = state_dict();
  require_same_keys(own.scalars, state.scalars, who);
  require_same_keys(own.vectors, state.vectors, who);
  const int64_t last_epoch = integer(state.scalars.at("last_epoch"), "last_epoch");
  require(last_epoch >= 0, "last_epoch must not be negative", static_cast<double>(last_epoch));
  const std::vector<double>& base_lrs = per_group(state, "base_lrs");
  const std::vector<double>& last_lr = per_group(state, "last_lr");
  load_hyperparameters(state);
  last_epoch_ = last_epoch;
  base_lrs_ = base_lrs;
  last_lr_ = last_lr;
}

}  // namespace tapenet::optim
