// Optimizers: hand-computed steps for each option, parameter groups, zero_grad, state dicts, errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "framework/factories.hpp"
#include "framework/parallel.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

using namespace tapenet;
using namespace tapenet::optim;

namespace {

/// A float64 parameter [1, -2] (values given) that requires grad.
Tensor param(std::vector<double> values = {1.0, -2.0}) {
  const auto n = static_cast<int64_t>(values.size());
  Tensor p = from_vector(values, {n});
  p.requires_grad_();
  return p;
}

void set_grad(Tensor& p, std::vector<double> values) {
  p.set_grad(from_vector(values, {static_cast<int64_t>(values.size())}));
}

void check(const Tensor& p, std::vector<double> expected) {
  REQUIRE(p.numel() == static_cast<int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(p.data<double>()[i] == Approx(expected[i]).epsilon(1e-12).margin(1e-14));
}

/// Runs `steps` steps of `opt` on p with the gradient g each time.
void run(Optimizer& opt, Tensor& p, const std::vector<double>& g, int steps = 1) {
  for (int s = 0; s < steps; ++s) {
    set_grad(p, g);
    opt.step();
  }
}

}  // namespace

TEST_CASE("SGD follows PyTorch's formulas", "[optim]") {
  Tensor p = param();
  SECTION("plain") {
    SGD opt({p}, SGDOptions(0.1));
    run(opt, p, {0.5, 1.0});
    check(p, {0.95, -2.1});
  }
  SECTION("weight decay adds wd * p to the gradient") {
    SGD opt({p}, SGDOptions(0.1).weight_decay(0.1));
    run(opt, p, {0.5, 1.0});
    check(p, {0.94, -2.08});
  }
  SECTION("momentum: the first buffer is the gradient itself, then dampened") {
    SGD opt({p}, SGDOptions(0.1).momentum(0.9).dampening(0.5));
    run(opt, p, {0.5, 1.0});
    check(p, {0.95, -2.1});
    check(opt.state(0, "momentum_buffer"), {0.5, 1.0});
    run(opt, p, {0.5, 1.0});
    check(opt.state(0, "momentum_buffer"), {0.7, 1.4});  // 0.9 buf + 0.5 g
    check(p, {0.88, -2.24});
  }
  SECTION("nesterov") {
    SGD opt({p}, SGDOptions(0.1).momentum(0.9).nesterov(true));
    run(opt, p, {0.5, 1.0});
    check(p, {0.905, -2.19});  // g + 0.9 g
    run(opt, p, {0.5, 1.0});
    check(p, {0.7695, -2.461});  // buf = 1.9 g, step g + 0.9 · 1.9 g = 2.71 g
  }
  SECTION("no momentum keeps no state") {
    SGD opt({p}, SGDOptions(0.1));
    run(opt, p, {0.5, 1.0});
    CHECK_FALSE(opt.state(0, "momentum_buffer").defined());
    CHECK(opt.state_dict().state.empty());
  }
}

TEST_CASE("Adam and AdamW follow PyTorch's formulas", "[optim]") {
  Tensor p = param();
  const double eps = 1e-8;
  SECTION("bias correction: with a constant gradient every step is lr · g / (|g| + eps)") {
    Adam opt({p}, AdamOptions(0.1));
    run(opt, p, {0.5, 1.0});
    check(p, {1 - 0.1 * 0.5 / (0.5 + eps), -2 - 0.1 * 1 / (1 + eps)});
    run(opt, p, {0.5, 1.0});
    check(p, {1 - 0.2 * 0.5 / (0.5 + eps), -2 - 0.2 * 1 / (1 + eps)});
    CHECK(opt.state(0, "step").item() == 2);
    check(opt.state(0, "exp_avg"), {0.5 * (1 - 0.81), 1.0 * (1 - 0.81)});
  }
  SECTION("weight decay is added to the gradient") {
    Adam opt({p}, AdamOptions(0.1).weight_decay(1.0));
    run(opt, p, {0.5, 3.0});  // g + p = [1.5, 1]
    check(p, {1 - 0.1 * 1.5 / (1.5 + eps), -2 - 0.1 * 1 / (1 + eps)});
  }
  SECTION("AdamW decays the parameter itself first") {
    AdamW opt({p}, AdamWOptions(0.1).weight_decay(0.1));
    CHECK(opt.type_name() == "AdamW");
    run(opt, p, {0.5, 1.0});
    check(p, {0.99 - 0.1 * 0.5 / (0.5 + eps), -1.98 - 0.1 * 1 / (1 + eps)});
  }
  SECTION("AdamW defaults to weight_decay 1e-2, Adam to 0") {
    CHECK(AdamW({p}).defaults().at("weight_decay") == 1e-2);
    CHECK(Adam(std::vector<Tensor>{param()}).defaults().at("weight_decay") == 0);
  }
  SECTION("amsgrad divides by the largest second moment seen") {
    Tensor q = param();
    Adam plain({p}, AdamOptions(0.1));
    Adam ams({q}, AdamOptions(0.1).amsgrad(true));
    run(plain, p, {0.5, 1.0});
    run(ams, q, {0.5, 1.0});
    run(plain, p, {0.01, 0.01});
    run(ams, q, {0.01, 0.01});
    // step 2: m = 0.9·0.1·g1 + 0.1·g2, v = 0.999·0.001·g1² + 0.001·g2², vmax = 0.001·g1² (larger).
    const double b1c = 1 - 0.81, b2c = 1 - 0.999 * 0.999;
    std::vector<double> expected;
    const double g1[] = {0.5, 1.0}, p1[] = {1 - 0.1 * 0.5 / (0.5 + eps), -2 - 0.1 / (1 + eps)};
    for (int i = 0; i < 2; ++i) {
      const double m = 0.09 * g1[i] + 0.1 * 0.01, vmax = 0.001 * g1[i] * g1[i];
      expected.push_back(p1[i] - 0.1 / b1c * m / (std::sqrt(vmax) / std::sqrt(b2c) + eps));
    }
    check(q, expected);
    CHECK(std::abs(p.data<double>()[0] - q.data<double>()[0]) > 1e-6);
    check(ams.state(0, "max_exp_avg_sq"), {0.001 * 0.25, 0.001});
  }
}

TEST_CASE("RMSprop follows PyTorch's formulas", "[optim]") {
  Tensor p = param();
  const double eps = 1e-8;
  SECTION("plain: the first step is lr · g / (sqrt(1 - alpha) |g| + eps)") {
    RMSprop opt({p}, RMSpropOptions(0.01));
    run(opt, p, {0.5, 1.0});
    const double r = std::sqrt(0.01);
    check(p, {1 - 0.01 * 0.5 / (r * 0.5 + eps), -2 - 0.01 * 1 / (r + eps)});
  }
  SECTION("centered subtracts the squared mean gradient") {
    RMSprop opt({p}, RMSpropOptions(0.01).centered(true));
    run(opt, p, {0.5, 1.0});
    const double r = std::sqrt(0.01 * 0.99);  // (1-α)g² − (1-α)²g² = α(1-α)g²
    check(p, {1 - 0.01 * 0.5 / (r * 0.5 + eps), -2 - 0.01 * 1 / (r + eps)});
    check(opt.state(0, "grad_avg"), {0.005, 0.01});
  }
  SECTION("momentum accumulates g / avg") {
    RMSprop opt({p}, RMSpropOptions(0.01).momentum(0.5).weight_decay(0.5));
    run(opt, p, {0.0, 2.0});  // g + 0.5 p = [0.5, 1]
    const double r = std::sqrt(0.01);
    const double b0 = 0.5 / (r * 0.5 + eps), b1 = 1 / (r + eps);
    check(opt.state(0, "momentum_buffer"), {b0, b1});
    check(p, {1 - 0.01 * b0, -2 - 0.01 * b1});
  }
}

TEST_CASE("Adagrad follows PyTorch's formulas", "[optim]") {
  Tensor p = param();
  const double eps = 1e-10;
  SECTION("initial accumulator and lr decay") {
    Adagrad opt({p}, AdagradOptions(0.1).initial_accumulator_value(0.75).lr_decay(0.5));
    run(opt, p, {0.5, 1.0});
    const double p0 = 1 - 0.1 * 0.5 / (1.0 + eps), p1 = -2 - 0.1 * 1 / (std::sqrt(1.75) + eps);
    check(p, {p0, p1});
    run(opt, p, {0.5, 1.0});  // clr = 0.1 / (1 + 0.5)
    check(p, {p0 - 0.1 / 1.5 * 0.5 / (std::sqrt(1.25) + eps), p1 - 0.1 / 1.5 * 1 / (std::sqrt(2.75) + eps)});
    check(opt.state(0, "sum"), {1.25, 2.75});
  }
  SECTION("weight decay") {
    Adagrad opt({p}, AdagradOptions(0.1).weight_decay(0.5));
    run(opt, p, {0.0, 2.0});  // g + 0.5 p = [0.5, 1]
    check(p, {1 - 0.1 * 0.5 / (0.5 + eps), -2 - 0.1 / (1 + eps)});
  }
}

TEST_CASE("float32 parameters are updated in float32", "[optim]") {
  Tensor p = from_vector(std::vector<float>{1.0f, -2.0f}, {2});
  p.requires_grad_();
  SGD opt({p}, SGDOptions(0.5).momentum(0.9));
  p.set_grad(from_vector(std::vector<float>{1.0f, 2.0f}, {2}));
  opt.step();
  CHECK(p.data<float>()[0] == 0.5f);
  CHECK(p.data<float>()[1] == -3.0f);
  CHECK(opt.state(0, "momentum_buffer").dtype() == DType::f32);
}

TEST_CASE("parameter groups keep their own hyper-parameters; missing ones take the defaults", "[optim]") {
  Tensor w = param(), b = param({3.0});
  SGD opt({ParamGroup{{w}, {}}, ParamGroup{{b}, {{"lr", 1.0}, {"weight_decay", 0.0}}}},
          SGDOptions(0.1).weight_decay(0.1));
  REQUIRE(opt.param_groups().size() == 2);
  CHECK(opt.param_groups()[0].lr() == 0.1);
  CHECK(opt.param_groups()[1].get("weight_decay") == 0);
  CHECK(opt.param_groups()[1].get("momentum") == 0);
  set_grad(w, {0.5, 1.0});
  set_grad(b, {0.5});
  opt.step();
  check(w, {0.94, -2.08});
  check(b, {2.5});
  SECTION("a changed lr takes effect at the next step") {
    opt.param_groups()[1].set_lr(2.0);
    opt.param_groups()[1].options["initial_lr"] = 1.0;  // what a scheduler records
    set_grad(b, {0.5});
    opt.step();
    check(b, {1.5});
  }
  SECTION("add_param_group") {
    Tensor c = param({1.0});
    opt.add_param_group({{c}, {{"lr", 0.5}}});
    set_grad(c, {1.0});
    opt.step();
    check(c, {0.45});  // the default weight_decay 0.1 applies
  }
}

TEST_CASE("step skips parameters without a gradient", "[optim]") {
  Tensor p = param(), q = param();
  Adam opt({p, q});
  set_grad(p, {0.5, 1.0});
  opt.step();
  check(q, {1.0, -2.0});
  CHECK_FALSE(opt.state(1, "exp_avg").defined());
  CHECK(opt.state(0, "exp_avg").defined());
}

TEST_CASE("zero_grad drops or zeroes gradients", "[optim]") {
  Tensor p = param();
  SGD opt({p}, SGDOptions(0.1));
  set_grad(p, {0.5, 1.0});
  opt.zero_grad(false);
  REQUIRE(p.grad().defined());
  check(p.grad(), {0.0, 0.0});
  opt.zero_grad();
  CHECK_FALSE(p.grad().defined());
}

TEST_CASE("a state dict round trip continues identically", "[optim]") {
  const std::vector<std::vector<double>> grads = {{0.5, 1.0}, {-0.2, 0.3}, {0.7, -0.1}, {0.1, 0.1}, {-1.0, 2.0}};
  auto check_round_trip = [&](auto make) {
    Tensor a = param(), b = param();
    auto first = make(a);
    for (int s = 0; s < 3; ++s) run(*first, a, grads[s]);
    OptimizerStateDict dict = first->state_dict();
    b.copy_(a);
    auto second = make(b);
    second->load_state_dict(dict);
    for (int s = 3; s < 5; ++s) {
      run(*first, a, grads[s]);
      run(*second, b, grads[s]);
    }
    for (int i = 0; i < 2; ++i) CHECK(a.data<double>()[i] == b.data<double>()[i]);
    // The dict is a deep copy: stepping did not change it.
    for (const StateEntry& e : dict.state)
      if (e.name == "step") CHECK(e.tensor.item() == 3);
  };
  check_round_trip([](Tensor p) { return std::make_unique<SGD>(std::vector{p}, SGDOptions(0.1).momentum(0.9)); });
  check_round_trip([](Tensor p) { return std::make_unique<Adam>(std::vector{p}, AdamOptions(0.1).amsgrad(true)); });
  check_round_trip([](Tensor p) { return std::make_unique<AdamW>(std::vector{p}); });
  check_round_trip([](Tensor p) {
    return std::make_unique<RMSprop>(std::vector{p}, RMSpropOptions().centered(true).momentum(0.5));
  });
  check_round_trip([](Tensor p) { return std::make_unique<Adagrad>(std::vector{p}, AdagradOptions().lr_decay(0.1)); });
}

TEST_CASE("state dicts hold hyper-parameters and state by flat parameter index", "[optim]") {
  Tensor w = param(), b = param({3.0});
  Adam opt({ParamGroup{{w}, {}}, ParamGroup{{b}, {{"lr", 0.5}}}});
  set_grad(b, {1.0});
  opt.step();
  OptimizerStateDict d = opt.state_dict();
  REQUIRE(d.param_groups.size() == 2);
  CHECK(d.param_groups[1].params == std::vector<int64_t>{1});
  CHECK(d.param_groups[1].options.at("lr") == 0.5);
  CHECK(d.param_groups[0].options.at("beta2") == 0.999);
  REQUIRE(d.state.size() == 3);  // b only: exp_avg, exp_avg_sq, step
  for (const StateEntry& e : d.state) CHECK(e.param_index == 1);
  CHECK(d.state[2].name == "step");
  SECTION("hyper-parameters are restored") {
    opt.param_groups()[1].set_lr(7.0);
    opt.load_state_dict(d);
    CHECK(opt.param_groups()[1].lr() == 0.5);
  }
  SECTION("mismatches throw and change nothing") {
    OptimizerStateDict bad = d;
    bad.param_groups.pop_back();
    CHECK_THROWS_AS(opt.load_state_dict(bad), ValueError);
    bad = d;
    bad.state[0].tensor = zeros({3}, DType::f64);
    CHECK_THROWS_WITH(opt.load_state_dict(bad), Catch::Contains("shape"));
    bad = d;
    bad.state[0].name = "momentum_buffer";
    CHECK_THROWS_WITH(opt.load_state_dict(bad), Catch::Contains("unknown state"));
    bad = d;
    bad.param_groups[0].options["lr"] = -1;
    CHECK_THROWS_WITH(opt.load_state_dict(bad), Catch::Contains("Adam"));
    CHECK(opt.state(1, "step").item() == 1);
    SGD sgd({w, b}, SGDOptions(0.1));
    CHECK_THROWS_AS(sgd.load_state_dict(d), ValueError);  // two groups vs one
  }
}

TEST_CASE("invalid hyper-parameters throw ValueError naming the optimizer and the value", "[optim]") {
  Tensor p = param();
  CHECK_THROWS_WITH(SGD({p}, SGDOptions(-0.5)), Catch::Contains("SGD") && Catch::Contains("-0.5"));
  CHECK_THROWS_WITH(SGD({p}, SGDOptions(0.1).momentum(-1)), Catch::Contains("momentum"));
  CHECK_THROWS_WITH(SGD({p}, SGDOptions(0.1).nesterov(true)), Catch::Contains("nesterov"));
  CHECK_THROWS_WITH(SGD({p}, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)), Catch::Contains("nesterov"));
  CHECK_THROWS_WITH(Adam({p}, AdamOptions().betas({1.0, 0.999})), Catch::Contains("Adam") && Catch::Contains("beta"));
  CHECK_THROWS_WITH(AdamW({p}, AdamWOptions().eps(-1)), Catch::Contains("AdamW"));
  CHECK_THROWS_WITH(RMSprop({p}, RMSpropOptions().alpha(-0.1)), Catch::Contains("RMSprop") && Catch::Contains("alpha"));
  CHECK_THROWS_WITH(Adagrad({p}, AdagradOptions().lr_decay(-1)),
                    Catch::Contains("Adagrad") && Catch::Contains("lr_decay"));
  CHECK_THROWS_WITH(SGD({ParamGroup{{p}, {{"lr", -2.0}}}}, SGDOptions(0.1)), Catch::Contains("-2"));
  CHECK_THROWS_WITH(SGD({ParamGroup{{p}, {{"momentun", 0.9}}}}, SGDOptions(0.1)), Catch::Contains("momentun"));
  CHECK_THROWS_WITH(SGD(std::vector<Tensor>{}, SGDOptions(0.1)), Catch::Contains("empty"));
  CHECK_THROWS_WITH(SGD(std::vector<Tensor>{p, p}, SGDOptions(0.1)), Catch::Contains("more than one"));
  CHECK_THROWS_AS(SGD({zeros({2}, DType::i64)}, SGDOptions(0.1)), ValueError);
  SGD opt({p}, SGDOptions(0.1));
  CHECK_THROWS_WITH(opt.add_param_group({{p}, {}}), Catch::Contains("more than one"));
  CHECK_THROWS_WITH(opt.param_groups()[0].get("betas"), Catch::Contains("betas"));
}

TEST_CASE("updates are bit-identical for any thread count", "[optim]") {
  const int threads = get_num_threads();
  const int64_t n = 100003;  // several parallel chunks
  Tensor init = randn({n});
  Tensor grad = randn({n});
  std::vector<Tensor> results;
  for (int t : {1, 2}) {
    set_num_threads(t);
    Tensor p = init.clone();
    p.requires_grad_();
    Adam opt({p}, AdamOptions(0.01).weight_decay(0.1).amsgrad(true));
    for (int s = 0; s < 3; ++s) {
      p.set_grad(grad.clone());
      opt.step();
    }
    results.push_back(p);
  }
  set_num_threads(threads);
  for (int64_t i = 0; i < n; ++i)
    if (results[0].data<float>()[i] != results[1].data<float>()[i]) FAIL("element " << i << " differs");
}
