#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <vector>

#include "framework/factories.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/cosine_annealing_lr.hpp"
#include "optim/exponential_lr.hpp"
#include "optim/linear_lr.hpp"
#include "optim/multistep_lr.hpp"
#include "optim/one_cycle_lr.hpp"
#include "optim/sgd.hpp"
#include "optim/step_lr.hpp"

using namespace tapenet;
using namespace tapenet::optim;
using Catch::Contains;

namespace {

constexpr double kLr0 = 0.1, kLr1 = 0.03;

std::vector<ParamGroup> two_groups() {
  Tensor a = zeros({3}).requires_grad_(), b = zeros({2, 2}).requires_grad_();
  return {ParamGroup{{a}, {{"lr", kLr0}}}, ParamGroup{{b}, {{"lr", kLr1}}}};
}

/// SGD over two parameter groups with rates kLr0 and kLr1.
std::unique_ptr<SGD> two_group_sgd(double momentum = 0) {
  return std::make_unique<SGD>(two_groups(), SGDOptions(1.0).momentum(momentum));
}

/// Steps `s` from last_epoch 0 to `epochs` and checks get_last_lr() and the groups' rates against
/// expected(base_lr, epoch) at every epoch (relative 1e-12: the recursive forms round differently
/// from the closed forms).
void check_sequence(LRScheduler& s, int64_t epochs, const std::function<double(double, int64_t)>& expected) {
  for (int64_t epoch = 0; epoch <= epochs; ++epoch) {
    if (epoch > 0) s.step();
    REQUIRE(s.last_epoch() == epoch);
    for (std::size_t g = 0; g < 2; ++g) {
      INFO("epoch " << epoch << ", group " << g);
      const double want = expected(g == 0 ? kLr0 : kLr1, epoch);
      CHECK(s.get_last_lr()[g] == Approx(want).epsilon(1e-12).margin(1e-15));
      CHECK(s.optimizer().param_groups()[g].lr() == s.get_last_lr()[g]);
    }
  }
}

double cos_anneal(double start, double end, double pct) {
  return end + (start - end) * (1 + std::cos(std::numbers::pi * pct)) / 2;
}

}  // namespace

TEST_CASE("StepLR decays by gamma every step_size epochs", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  StepLR s(*opt, 3, 0.5);
  CHECK(s.type_name() == "StepLR");
  check_sequence(s, 40, [](double base, int64_t e) { return base * std::pow(0.5, static_cast<double>(e / 3)); });
}

TEST_CASE("MultiStepLR decays at its milestones, in any order, repeats decaying twice", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  const std::vector<int64_t> milestones{12, 0, 5, 5, 30};
  MultiStepLR s(*opt, milestones, 0.3);
  CHECK(s.milestones() == std::vector<int64_t>{0, 5, 5, 12, 30});
  check_sequence(s, 40, [&](double base, int64_t e) {
    const auto passed = std::count_if(milestones.begin(), milestones.end(), [&](int64_t m) { return m <= e; });
    return base * std::pow(0.3, static_cast<double>(passed));
  });
}

TEST_CASE("ExponentialLR multiplies by gamma every epoch", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  ExponentialLR s(*opt, 0.9);
  check_sequence(s, 60, [](double base, int64_t e) { return base * std::pow(0.9, static_cast<double>(e)); });
}

TEST_CASE("CosineAnnealingLR follows the cosine to eta_min and back up beyond T_max", "[lr_scheduler]") {
  for (double eta_min : {0.0, 0.001}) {
    auto opt = two_group_sgd();
    CosineAnnealingLR s(*opt, 10, eta_min);
    INFO("eta_min " << eta_min);
    check_sequence(s, 45, [&](double base, int64_t e) {
      return eta_min + (base - eta_min) * (1 + std::cos(std::numbers::pi * static_cast<double>(e) / 10)) / 2;
    });
  }
  auto opt = two_group_sgd();
  CosineAnnealingLR s(*opt, 4);
  for (int i = 0; i < 4; ++i) s.step();
  CHECK(s.get_last_lr()[0] == 0.0);  // (1 + cos π) = 0 exactly at T_max
}

TEST_CASE("LinearLR ramps the factor from start_factor to end_factor over total_iters", "[lr_scheduler]") {
  SECTION("warm-up") {
    auto opt = two_group_sgd();
    LinearLR s(*opt, 0.25, 1.0, 8);
    CHECK(s.get_last_lr()[0] == Approx(kLr0 * 0.25).epsilon(1e-15));
    check_sequence(s, 20, [](double base, int64_t e) {
      return base * (0.25 + 0.75 * static_cast<double>(std::min<int64_t>(e, 8)) / 8);
    });
  }
  SECTION("decay, PyTorch's defaults") {
    auto opt = two_group_sgd();
    LinearLR s(*opt);
    CHECK(s.start_factor() == 1.0 / 3);
    CHECK(s.total_iters() == 5);
    auto opt2 = two_group_sgd();
    LinearLR d(*opt2, 1.0, 0.1, 4);
    check_sequence(d, 10, [](double base, int64_t e) {
      return base * (1.0 - 0.9 * static_cast<double>(std::min<int64_t>(e, 4)) / 4);
    });
  }
}

TEST_CASE("OneCycleLR: two phases, cosine and linear, with momentum", "[lr_scheduler]") {
  // total_steps 10, pct_start 0.3: up over steps 0..2, down over 2..9 (PyTorch's boundaries).
  for (const char* strategy : {"cos", "linear"}) {
    INFO(strategy);
    auto opt = two_group_sgd(0.9);
    OneCycleLR s(*opt, OneCycleLROptions({1.0, 0.5}).total_steps(10).anneal_strategy(strategy));
    const bool cos = std::string(strategy) == "cos";
    auto anneal = [&](double a, double b, double pct) { return cos ? cos_anneal(a, b, pct) : a + (b - a) * pct; };
    CHECK(opt->param_groups()[0].get("initial_lr") == 1.0 / 25);
    check_sequence(s, 10, [&](double base, int64_t e) {
      const double max_lr = base == kLr0 ? 1.0 : 0.5, initial = max_lr / 25, min_lr = initial / 1e4;
      const auto t = static_cast<double>(e);
      return e <= 2 ? anneal(initial, max_lr, t / 2) : anneal(max_lr, min_lr, (t - 2) / 7);
    });
    CHECK_THROWS_WITH(s.step(), Contains("OneCycleLR") && Contains("12") && Contains("total_steps is 10"));
    CHECK(s.last_epoch() == 10);
  }
  auto opt = two_group_sgd(0.9);
  OneCycleLR s(*opt, OneCycleLROptions({1.0}).epochs(2).steps_per_epoch(5));
  CHECK(s.total_steps() == 10);
  CHECK(opt->param_groups()[1].get("momentum") == Approx(0.95).epsilon(1e-15));
  s.step();
  s.step();
  CHECK(s.get_last_lr() == std::vector<double>{1.0, 1.0});
  CHECK(opt->param_groups()[0].get("momentum") == Approx(0.85).epsilon(1e-15));
  for (int i = 0; i < 7; ++i) s.step();
  CHECK(s.get_last_lr()[0] == Approx(1.0 / 25 / 1e4).epsilon(1e-12));
  CHECK(opt->param_groups()[0].get("momentum") == Approx(0.95).epsilon(1e-15));
}

TEST_CASE("OneCycleLR: three phases; Adam's beta1 cycles; no momentum without cycle_momentum", "[lr_scheduler]") {
  Adam adam(two_groups(), AdamOptions(1.0));
  // total_steps 20, pct_start 0.25: boundaries 4, 8, 19.
  OneCycleLR s(adam,
               OneCycleLROptions({0.4}).total_steps(20).pct_start(0.25).three_phase(true).base_momentum({0.8, 0.7}));
  const double initial = 0.4 / 25;
  CHECK(adam.param_groups()[0].get("beta1") == 0.95);
  for (int i = 0; i < 4; ++i) s.step();
  CHECK(s.get_last_lr()[1] == Approx(0.4).epsilon(1e-15));
  CHECK(adam.param_groups()[1].get("beta1") == Approx(0.7).epsilon(1e-15));
  for (int i = 0; i < 2; ++i) s.step();
  CHECK(s.get_last_lr()[0] == Approx(cos_anneal(0.4, initial, 0.5)).epsilon(1e-12));
  for (int i = 0; i < 2; ++i) s.step();
  CHECK(s.get_last_lr()[0] == Approx(initial).epsilon(1e-12));
  for (int i = 0; i < 11; ++i) s.step();
  CHECK(s.get_last_lr()[0] == Approx(initial / 1e4).epsilon(1e-12));
  CHECK(adam.param_groups()[0].get("beta1") == Approx(0.95).epsilon(1e-15));
  CHECK(adam.param_groups()[0].get("beta2") == 0.999);

  Adagrad adagrad(two_groups(), AdagradOptions(1.0));
  CHECK_THROWS_WITH(OneCycleLR(adagrad, OneCycleLROptions({0.1}).total_steps(10)),
                    Contains("OneCycleLR") && Contains("cycle_momentum") && Contains("Adagrad"));
  OneCycleLR plain(adagrad, OneCycleLROptions({0.1}).total_steps(10).cycle_momentum(false));
  CHECK(plain.get_last_lr()[0] == Approx(0.1 / 25).epsilon(1e-15));

  // pct_start 1: the annealing phase has zero length, reached only by the extra step total_steps
  // (where PyTorch divides by zero).
  OneCycleLR warm_only(adagrad, OneCycleLROptions({0.1}).total_steps(4).pct_start(1.0).cycle_momentum(false));
  for (int i = 0; i < 3; ++i) warm_only.step();
  CHECK(warm_only.get_last_lr()[0] == Approx(0.1).epsilon(1e-15));
  CHECK_THROWS_WITH(warm_only.step(), Contains("OneCycleLR: step 4 falls in a phase of zero length"));
  CHECK(warm_only.last_epoch() == 3);
}

TEST_CASE("schedulers record initial_lr once, follow outside changes, and check the group count", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  StepLR first(*opt, 2, 0.5);
  for (int i = 0; i < 4; ++i) first.step();
  CHECK(opt->param_groups()[0].get("initial_lr") == kLr0);
  ExponentialLR second(*opt, 0.9);  // keeps the recorded initial_lr, as PyTorch's setdefault
  CHECK(second.base_lrs() == std::vector<double>{kLr0, kLr1});
  CHECK(second.get_last_lr()[0] == kLr0 * 0.25);
  opt->param_groups()[0].set_lr(1.0);  // chainable: the next rate starts from the group's rate
  second.step();
  CHECK(second.get_last_lr()[0] == 0.9);

  opt->add_param_group(ParamGroup{{zeros({1}).requires_grad_()}, {}});
  CHECK_THROWS_WITH(second.step(), Contains("ExponentialLR") && Contains("3 parameter groups"));
  CHECK(second.last_epoch() == 1);
}

TEST_CASE("state_dict round trip: a new optimizer and scheduler resume the schedule exactly", "[lr_scheduler]") {
  using Make = std::function<std::unique_ptr<LRScheduler>(Optimizer&, bool)>;
  // `other` builds the scheduler with different hyper-parameters: loading must replace them.
  const std::vector<std::pair<const char*, Make>> makers{
      {"StepLR",
       [](Optimizer& o, bool other) { return std::make_unique<StepLR>(o, other ? 7 : 3, other ? 0.9 : 0.5); }},
      {"MultiStepLR",
       [](Optimizer& o, bool other) {
         return std::make_unique<MultiStepLR>(o, other ? std::vector<int64_t>{1} : std::vector<int64_t>{4, 9, 9}, 0.5);
       }},
      {"ExponentialLR",
       [](Optimizer& o, bool other) { return std::make_unique<ExponentialLR>(o, other ? 0.5 : 0.93); }},
      {"CosineAnnealingLR",
       [](Optimizer& o, bool other) {
         return std::make_unique<CosineAnnealingLR>(o, other ? 3 : 7, other ? 0.0 : 1e-3);
       }},
      {"LinearLR", [](Optimizer& o, bool other) { return std::make_unique<LinearLR>(o, other ? 1.0 : 0.1, 1.0, 12); }},
      {"OneCycleLR",
       [](Optimizer& o, bool other) {
         return std::make_unique<OneCycleLR>(
             o, OneCycleLROptions({other ? 2.0 : 0.5, 0.2}).total_steps(other ? 50 : 30).three_phase(!other));
       }},
  };
  for (const auto& [name, make] : makers) {
    INFO(name);
    auto opt_a = two_group_sgd(0.9), opt_b = two_group_sgd(0.5);
    auto a = make(*opt_a, false);
    for (int i = 0; i < 6; ++i) a->step();
    const SchedulerState saved = a->state_dict();
    CHECK(saved.type == name);
    CHECK(saved.scalars.at("last_epoch") == 6);
    CHECK(saved.vectors.at("last_lr") == a->get_last_lr());
    auto b = make(*opt_b, true);
    opt_b->load_state_dict(opt_a->state_dict());
    b->load_state_dict(saved);
    CHECK(b->last_epoch() == 6);
    CHECK(b->base_lrs() == a->base_lrs());
    for (int i = 0; i < 20; ++i) {
      a->step();
      b->step();
      REQUIRE(b->get_last_lr() == a->get_last_lr());
      REQUIRE(opt_b->param_groups()[1].options == opt_a->param_groups()[1].options);
    }
    CHECK(b->state_dict().scalars == a->state_dict().scalars);
  }
}

TEST_CASE("load_state_dict rejects foreign or damaged states and changes nothing", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  StepLR s(*opt, 3, 0.5);
  s.step();
  const SchedulerState good = s.state_dict();
  auto damaged = [&](auto edit) {
    SchedulerState st = good;
    edit(st);
    return st;
  };
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.type = "ExponentialLR"; })),
                    Contains("StepLR.load_state_dict") && Contains("ExponentialLR"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.scalars.erase("gamma"); })),
                    Contains("missing key 'gamma'"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.vectors["milestones"] = {1}; })),
                    Contains("unexpected key 'milestones'"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.vectors["base_lrs"] = {0.1}; })),
                    Contains("StepLR") && Contains("base_lrs") && Contains("got 1"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.scalars["step_size"] = 0; })),
                    Contains("StepLR") && Contains("step_size") && Contains("got 0"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.scalars["last_epoch"] = 2.5; })),
                    Contains("last_epoch") && Contains("2.5"));
  CHECK_THROWS_WITH(s.load_state_dict(damaged([](SchedulerState& st) { st.scalars["last_epoch"] = -1; })),
                    Contains("last_epoch"));
  CHECK(s.state_dict().scalars == good.scalars);
  CHECK(s.state_dict().vectors == good.vectors);

  auto opt2 = two_group_sgd(0.9);
  OneCycleLR one(*opt2, OneCycleLROptions({1.0}).total_steps(10));
  SchedulerState st = one.state_dict();
  st.scalars["three_phase"] = 0.5;
  CHECK_THROWS_WITH(one.load_state_dict(st), Contains("OneCycleLR") && Contains("three_phase"));
}

TEST_CASE("invalid scheduler arguments raise ValueError naming the scheduler and the value", "[lr_scheduler]") {
  auto opt = two_group_sgd();
  CHECK_THROWS_AS(StepLR(*opt, 0), ValueError);
  CHECK_THROWS_WITH(StepLR(*opt, -2), Contains("StepLR") && Contains("step_size") && Contains("-2"));
  CHECK_THROWS_WITH(StepLR(*opt, 2, -0.5), Contains("StepLR") && Contains("gamma") && Contains("-0.5"));
  CHECK_THROWS_WITH(MultiStepLR(*opt, {3, -4}), Contains("MultiStepLR") && Contains("-4"));
  CHECK_THROWS_WITH(ExponentialLR(*opt, NAN), Contains("ExponentialLR") && Contains("nan"));
  CHECK_THROWS_WITH(CosineAnnealingLR(*opt, 0), Contains("CosineAnnealingLR") && Contains("T_max"));
  CHECK_THROWS_WITH(CosineAnnealingLR(*opt, 5, INFINITY), Contains("eta_min") && Contains("inf"));
  CHECK_THROWS_WITH(LinearLR(*opt, 0.0), Contains("LinearLR") && Contains("start_factor") && Contains("got 0"));
  CHECK_THROWS_WITH(LinearLR(*opt, 0.5, 1.5), Contains("end_factor") && Contains("1.5"));
  CHECK_THROWS_WITH(LinearLR(*opt, 0.5, 1.0, 0), Contains("total_iters"));
  auto one = [&](const OneCycleLROptions& o) { OneCycleLR s(*opt, o); };
  const OneCycleLROptions base({0.1});
  CHECK_THROWS_WITH(one(base), Contains("OneCycleLR") && Contains("total_steps"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(0)), Contains("total_steps") && Contains("got 0"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).epochs(3)), Contains("steps_per_epoch"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).epochs(-1).steps_per_epoch(4)), Contains("epochs") && Contains("-1"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(10).pct_start(1.5)),
                    Contains("pct_start") && Contains("1.5"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(10).pct_start(0.1)), Contains("zero length"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(10).anneal_strategy("exp")),
                    Contains("anneal_strategy") && Contains("'exp'"));
  CHECK_THROWS_WITH(one(OneCycleLROptions({0.1, 0.2, 0.3}).total_steps(10)), Contains("max_lr") && Contains("got 3"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(10).max_momentum({})), Contains("max_momentum"));
  CHECK_THROWS_WITH(one(OneCycleLROptions(base).total_steps(10).div_factor(0)), Contains("div_factor"));
  // A failed construction leaves the optimizer's groups alone.
  CHECK(opt->param_groups()[0].lr() == kLr0);
  CHECK_FALSE(opt->param_groups()[0].options.count("initial_lr"));
}
