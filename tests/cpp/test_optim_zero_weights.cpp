// Weights a connection table leaves out get exactly-zero gradients and must stay exactly zero under
// every optimizer and option (weight decay, momentum, adaptive denominators).
#include <catch2/catch.hpp>
#include <functional>
#include <memory>

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "layers/connection_conv.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

using namespace tapenet;
using namespace tapenet::optim;

TEST_CASE("unconnected ConnectionConv2d weights stay exactly zero under every optimizer", "[optim]") {
  using Make = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;
  const std::vector<std::pair<const char*, Make>> makers = {
      {"SGD",
       [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).weight_decay(0.1).nesterov(true)); }},
      {"SGD dampening",
       [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).dampening(0.3).weight_decay(0.1)); }},
      {"Adam", [](auto p) { return std::make_unique<Adam>(p, AdamOptions(0.01).weight_decay(0.1).amsgrad(true)); }},
      {"AdamW", [](auto p) { return std::make_unique<AdamW>(p, AdamWOptions(0.01).weight_decay(0.5)); }},
      {"RMSprop",
       [](auto p) {
         return std::make_unique<RMSprop>(p, RMSpropOptions().momentum(0.9).centered(true).weight_decay(0.1));
       }},
      {"Adagrad",
       [](auto p) {
         return std::make_unique<Adagrad>(
             p, AdagradOptions().weight_decay(0.1).lr_decay(0.1).initial_accumulator_value(0.1));
       }},
  };
  const ConnectionTable table = ConnectionTable::random(3, 4, 2, 5);
  Generator gen(7);
  const Tensor x = randn({2, 3, 6, 6}, gen);
  for (const auto& [name, make] : makers) {
    INFO(name);
    auto conv = std::make_shared<nn::ConnectionConv2d>(nn::ConnectionConv2dOptions(3, 4, 3, table));
    const Tensor before = conv->weight.clone();
    auto opt = make(conv->parameters());
    for (int s = 0; s < 5; ++s) {
      opt->zero_grad();
      Tensor y = (*conv)(x);
      sum(y * y).backward();
      opt->step();
    }
    const float* w = conv->weight.data<float>();
    const float* w0 = before.data<float>();
    int64_t moved = 0;
    for (int64_t o = 0; o < 4; ++o)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t k = 0; k < 9; ++k) {
          const int64_t at = (o * 3 + i) * 9 + k;
          if (!table.connected(o, i)) {
            REQUIRE(w[at] == 0.0f);
          } else if (w[at] != w0[at]) {
            ++moved;
          }
        }
    CHECK(moved == table.connections() * 9);
  }
}
