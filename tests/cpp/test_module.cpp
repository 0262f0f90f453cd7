#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/module.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"

using namespace tapenet;

namespace {

// y = x * weight + bias, with a buffer counting nothing in particular (for state-dict order).
struct Affine : Module {
  Tensor weight, bias;
  explicit Affine(int64_t n) : Module("Affine") {
    weight = register_parameter("weight", full({n}, 2.0));
    bias = register_parameter("bias", zeros({n}));
    register_buffer("scale", ones({1}));
  }
  Tensor forward(const Tensor& x) override { return x * weight + bias; }
  std::string extra_repr() const override { return "n=" + std::to_string(weight.numel()); }
};

struct Net : Module {
  std::shared_ptr<Affine> first, second;
  Net() : Module("Net") {
    register_parameter("gain", ones({1}));
    first = register_module("first", std::make_shared<Affine>(3));
    second = register_module("second", std::make_shared<Affine>(3));
  }
  Tensor forward(const Tensor& x) override { return (*second)((*first)(x)) * named_parameters(false)[0].second; }
};

std::vector<std::string> keys(const StateDict& d) {
  std::vector<std::string> k;
  for (const auto& [name, t] : d) k.push_back(name);
  return k;
}

}  // namespace

TEST_CASE("named_parameters, buffers and state_dict use dotted keys in registration order", "[module]") {
  Net net;
  CHECK(keys(net.named_parameters()) ==
        std::vector<std::string>{"gain", "first.weight", "first.bias", "second.weight", "second.bias"});
  CHECK(keys(net.named_buffers()) == std::vector<std::string>{"first.scale", "second.scale"});
  CHECK(keys(net.state_dict()) == std::vector<std::string>{"gain", "first.weight", "first.bias", "first.scale",
                                                          "second.weight", "second.bias", "second.scale"});
  CHECK(keys(net.named_parameters(false)) == std::vector<std::string>{"gain"});
  std::vector<std::string> modules;
  for (const auto& [name, m] : net.named_modules()) modules.push_back(name + ":" + m->type_name());
  CHECK(modules == std::vector<std::string>{":Net", "first:Affine", "second:Affine"});
  CHECK(net.named_children().size() == 2);
  CHECK(net.parameters().size() == 5);
  CHECK(net.num_parameters() == 1 + 4 * 3);
}

TEST_CASE("register_* rejects empty, dotted and duplicate names", "[module]") {
  Affine a(2);
  CHECK_THROWS_WITH(a.register_parameter("", ones({1})), Catch::Contains("must not be empty"));
  CHECK_THROWS_WITH(a.register_buffer("a.b", ones({1})), Catch::Contains("must not contain"));
  CHECK_THROWS_WITH(a.register_parameter("weight", ones({1})), Catch::Contains("\"weight\" already exists"));
  CHECK_THROWS_AS(a.register_module("bias", std::make_shared<Affine>(1)), ValueError);
  CHECK_THROWS_AS(a.register_module("child", std::shared_ptr<Affine>()), ValueError);
}

TEST_CASE("parameters share data and gradients with the layer's members", "[module]") {
  Net net;
  const Tensor x = ones({3});
  sum(net(x)).backward();
  const StateDict params = net.named_parameters();
  CHECK(params[1].second.grad().defined());
  CHECK(net.first->weight.grad().at<float>({0}) == 2.0f);  // d/dw1 of gain * (w2 * (w1 x + b1) + b2) = w2 x
  net.zero_grad();
  CHECK_FALSE(net.first->weight.grad().defined());
}

TEST_CASE("train and eval propagate to children", "[module]") {
  Net net;
  CHECK(net.is_training());
  net.eval();
  CHECK_FALSE(net.first->is_training());
  net.train();
  CHECK(net.second->is_training());
}

TEST_CASE("load_state_dict copies values and is all-or-nothing when strict", "[module]") {
  Net a, b;
  b.first->weight.at<float>({1}) = 7;
  a.load_state_dict(b.state_dict());
  CHECK(a.first->weight.at<float>({1}) == 7.0f);

  StateDict bad = b.state_dict();                   // shares data with b
  bad.erase(bad.begin() + 1);                       // first.weight missing
  bad.emplace_back("third.weight", ones({3}));     // unexpected
  bad[0].second = ones({2});                        // gain: wrong shape
  b.second->bias.at<float>({0}) = 5;                // a valid entry that must not be loaded alone
  const float before = a.second->bias.at<float>({0});
  CHECK_THROWS_WITH(a.load_state_dict(bad), Catch::Contains("missing keys: first.weight") &&
                                                Catch::Contains("unexpected keys: third.weight") &&
                                                Catch::Contains("gain: checkpoint [2] float32, model [1] float32"));
  CHECK(a.second->bias.at<float>({0}) == before);

  StateDict partial = b.state_dict();
  partial.erase(partial.begin() + 1);
  partial.emplace_back("extra", ones({1}));
  const LoadStateDictResult r = a.load_state_dict(partial, false);
  CHECK(r.missing_keys == std::vector<std::string>{"first.weight"});
  CHECK(r.unexpected_keys == std::vector<std::string>{"extra"});
  CHECK(a.second->bias.at<float>({0}) == 5.0f);
}

TEST_CASE("repr nests children like PyTorch", "[module]") {
  Net net;
  CHECK(net.first->repr() == "Affine(n=3)");
  CHECK(net.repr() == "Net(\n  (first): Affine(n=3)\n  (second): Affine(n=3)\n)");
  Module bare("Bare");
  CHECK_THROWS_WITH(bare(ones({1})), Catch::Contains("Bare: forward is not implemented"));
}
