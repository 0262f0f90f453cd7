#include "optim/one_cycle_lr.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace tapenet::optim {

namespace {

enum LrLevel { kInitialLr, kMaxLr, kMinLr };
enum MomentumLevel { kMaxMomentum, kBaseMomentum };

/// One phase of the cycle: it ends at `end_step` (PyTorch's float boundary) and anneals between
/// two rate levels and two momentum levels.
struct Phase {
  double end_step;
  LrLevel start_lr, end_lr;
  MomentumLevel start_momentum, end_momentum;
};

/// The group hyper-parameter that cycle_momentum drives.
const char* momentum_key(bool use_beta1) { return use_beta1 ? "beta1" : "momentum"; }

std::vector<Phase> phases(int64_t total_steps, double pct_start, bool three_phase) {
  const auto T = static_cast<double>(total_steps);
  if (three_phase)
    return {{pct_start * T - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
            {2 * pct_start * T - 2, kMaxLr, kInitialLr, kBaseMomentum, kMaxMomentum},
            {T - 1, kInitialLr, kMinLr, kMaxMomentum, kMaxMomentum}};
  return {{pct_start * T - 1, kInitialLr, kMaxLr, kMaxMomentum, kBaseMomentum},
          {T - 1, kMaxLr, kMinLr, kBaseMomentum, kMaxMomentum}};
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options) : LRScheduler("OneCycleLR", optimizer) {
  Settings s;
  if (options.total_steps()) {
    s.total_steps = *options.total_steps();
    require(s.total_steps > 0, "total_steps must be positive", static_cast<double>(s.total_steps));
  } else {
    if (!options.epochs() || !options.steps_per_epoch())
      throw ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch");
    require(*options.epochs() > 0, "epochs must be positive", static_cast<double>(*options.epochs()));
    require(*options.steps_per_epoch() > 0, "steps_per_epoch must be positive",
            static_cast<double>(*options.steps_per_epoch()));
    s.total_steps = *options.epochs() * *options.steps_per_epoch();
  }
  s.pct_start = options.pct_start();
  if (options.anneal_strategy() != "cos" && options.anneal_strategy() != "linear") {
    std::string msg("OneCycleLR: anneal_strategy must be 'cos' or 'linear', got '");
    throw ValueError(msg.append(options.anneal_strategy()).append("'"));
  }
  s.linear = options.anneal_strategy() == "linear";
  s.three_phase = options.three_phase();
  const double div = options.div_factor(), final_div = options.final_div_factor();
  require(std::isfinite(div) && div > 0, "div_factor must be positive", div);
  require(std::isfinite(final_div) && final_div > 0, "final_div_factor must be positive", final_div);
  s.max_lrs = per_group_values(options.max_lr(), "max_lr");
  for (double max_lr : s.max_lrs) s.min_lrs.push_back(max_lr / div / final_div);
  s.cycle_momentum = options.cycle_momentum();
  if (s.cycle_momentum && !optimizer.defaults().count("momentum") && !optimizer.defaults().count("beta1"))
    throw ValueError("OneCycleLR: cycle_momentum needs an optimizer with momentum or betas, " + optimizer.type_name() +
                     " has neither (pass cycle_momentum=false)");
  s.use_beta1 = optimizer.defaults().count("beta1") > 0;
  s.max_momentums = per_group_values(options.max_momentum(), "max_momentum");
  s.base_momentums = per_group_values(options.base_momentum(), "base_momentum");
  validate(s);
  s_ = std::move(s);
  std::vector<ParamGroup>& groups = optimizer.param_groups();
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i].options["initial_lr"] = s_.max_lrs[i] / div;
    if (s_.cycle_momentum) groups[i].options[momentum_key(s_.use_beta1)] = s_.max_momentums[i];
  }
  initial_step();
}

std::vector<double> OneCycleLR::per_group_values(const std::vector<double>& values, const char* name) const {
  if (values.size() == 1) return std::vector<double>(num_groups(), values[0]);
  require(values.size() == num_groups(),
          std::string(name) + " needs one value or one per parameter group (" + std::to_string(num_groups()) + ")",
          static_cast<double>(values.size()));
  return values;
}

void OneCycleLR::validate(const Settings& s) const {
  require(s.total_steps > 0, "total_steps must be positive", static_cast<double>(s.total_steps));
  require(s.pct_start >= 0 && s.pct_start <= 1, "pct_start must be in [0, 1]", s.pct_start);
  require(s.pct_start * static_cast<double>(s.total_steps) != 1,
          "pct_start * total_steps must not be 1 (a warm-up phase of zero length)", s.pct_start);
  for (const std::vector<double>* v : {&s.max_lrs, &s.min_lrs, &s.max_momentums, &s.base_momentums})
    for (double x : *v) require(std::isfinite(x), "rates and momenta must be finite", x);
  if (s.cycle_momentum && !optimizer().defaults().count(momentum_key(s.use_beta1)))
    throw ValueError("OneCycleLR: the state cycles " + std::string(momentum_key(s.use_beta1)) + ", which " +
                     optimizer().type_name() + " does not have");
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (s_.linear) return (end - start) * pct + start;
  const double cos_out = std::cos(std::numbers::pi * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step = last_epoch();
  if (step > s_.total_steps)
    throw ValueError("OneCycleLR: tried to step " + std::to_string(step + 1) + " times, but total_steps is " +
                     std::to_string(s_.total_steps));
  const std::vector<Phase> cycle = phases(s_.total_steps, s_.pct_start, s_.three_phase);
  double start_step = 0;
  std::size_t p = 0;
  while (p + 1 < cycle.size() && static_cast<double>(step) > cycle[p].end_step) start_step = cycle[p++].end_step;
  const Phase& phase = cycle[p];
  if (phase.end_step == start_step)  // PyTorch: ZeroDivisionError
    throw ValueError("OneCycleLR: step " + std::to_string(step) + " falls in a phase of zero length");
  const double pct = (static_cast<double>(step) - start_step) / (phase.end_step - start_step);

  std::vector<double> lrs, momenta;
  for (std::size_t i = 0; i < num_groups(); ++i) {
    const std::array<double, 3> lr_levels{base_lrs()[i], s_.max_lrs[i], s_.min_lrs[i]};
    const std::array<double, 2> momentum_levels{s_.max_momentums[i], s_.base_momentums[i]};
    lrs.push_back(anneal(lr_levels[phase.start_lr], lr_levels[phase.end_lr], pct));
    if (s_.cycle_momentum)
      momenta.push_back(anneal(momentum_levels[phase.start_momentum], momentum_levels[phase.end_momentum], pct));
  }
  if (s_.cycle_momentum) {
    std::vector<ParamGroup>& groups = optimizer().param_groups();
    for (std::size_t i = 0; i < groups.size(); ++i) groups[i].options[momentum_key(s_.use_beta1)] = momenta[i];
  }
  return lrs;
}

void OneCycleLR::save_hyperparameters(SchedulerState& state) const {
  state.scalars["total_steps"] = static_cast<double>(s_.total_steps);
  state.scalars["pct_start"] = s_.pct_start;
  state.scalars["anneal_linear"] = s_.linear;
  state.scalars["three_phase"] = s_.three_phase;
  state.scalars["cycle_momentum"] = s_.cycle_momentum;
  state.scalars["use_beta1"] = s_.use_beta1;
  state.vectors["max_lrs"] = s_.max_lrs;
  state.vectors["min_lrs"] = s_.min_lrs;
  state.vectors["max_momentums"] = s_.max_momentums;
  state.vectors["base_momentums"] = s_.base_momentums;
}

void OneCycleLR::load_hyperparameters(const SchedulerState& state) {
  auto flag = [&](const char* key) {
    const double v = state.scalars.at(key);
    require(v == 0 || v == 1, std::string(key) + " must be 0 or 1", v);
    return v == 1;
  };
  Settings s;
  s.total_steps = integer(state.scalars.at("total_steps"), "total_steps");
  s.pct_start = state.scalars.at("pct_start");
  s.linear = flag("anneal_linear");
  s.three_phase = flag("three_phase");
  s.cycle_momentum = flag("cycle_momentum");
  s.use_beta1 = flag("use_beta1");
  s.max_lrs = per_group(state, "max_lrs");
  s.min_lrs = per_group(state, "min_lrs");
  s.max_momentums = per_group(state, "max_momentums");
  s.base_momentums = per_group(state, "base_momentums");
  validate(s);
  s_ = std::move(s);
}

}  // namespace tapenet::optim
