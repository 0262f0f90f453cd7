#include <catch2/catch.hpp>

#include <cmath>

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/summary.hpp"
#include "layers/activation.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/loss.hpp"
#include "layers/sequential.hpp"

using namespace tapenet;
using namespace tapenet::nn;

TEST_CASE("Sequential numbers or names its children and chains them", "[layers][sequential]") {
  manual_seed(1);
  Sequential seq{std::make_shared<Flatten>(), std::make_shared<Linear>(6, 4), std::make_shared<ReLU>(),
                 std::make_shared<Linear>(4, 2)};
  std::vector<std::string> keys;
  for (const auto& [k, v] : seq.state_dict()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"1.weight", "1.bias", "3.weight", "3.bias"});
  CHECK(seq(ones({5, 2, 3})).shape() == Shape{5, 2});
  CHECK(seq[-1]->type_name() == "Linear");
  CHECK_THROWS_AS(seq[4], IndexError);

  Sequential named{{"fc", std::make_shared<Linear>(3, 3)}, {"act", std::make_shared<Tanh>()}};
  CHECK(named.named_parameters()[0].first == "fc.weight");
  CHECK_THROWS_AS(named.push_back("fc", std::make_shared<Identity>()), ValueError);
  CHECK(named.repr() ==
        "Sequential(\n  (fc): Linear(in_features=3, out_features=3, bias=True)\n  (act): Tanh()\n)");
  auto inner = std::make_shared<Sequential>();
  inner->push_back(std::make_shared<Linear>(2, 2));
  Sequential outer{inner};
  CHECK(outer.named_parameters()[0].first == "0.0.weight");
  CHECK(outer.repr() ==
        "Sequential(\n  (0): Sequential(\n    (0): Linear(in_features=2, out_features=2, bias=True)\n  )\n)");
  CHECK(Sequential()(ones({2})).numel() == 2);
}

TEST_CASE("activation layers compute their functions", "[layers]") {
  const Tensor x = from_vector(std::vector<float>{-2, -0.5f, 0, 1}, {4});
  CHECK(ReLU()(x).at<float>({0}) == 0.0f);
  CHECK(LeakyReLU(0.2)(x).at<float>({0}) == Approx(-0.4));
  CHECK(Tanh()(x).at<float>({3}) == Approx(std::tanh(1.0)));
  CHECK(Sigmoid()(x).at<float>({2}) == Approx(0.5));
  // LeCun's scaled tanh maps ±1 to about ±1.
  CHECK(ScaledTanh()(x).at<float>({3}) == Approx(1.7159 * std::tanh(2.0 / 3.0)));
  CHECK(ScaledTanh()(x).at<float>({3}) == Approx(1.0).margin(0.002));
  CHECK(Softmax(0)(x).at<float>({3}) == Approx(std::exp(1.0) / (std::exp(-2.0) + std::exp(-0.5) + 1 + std::exp(1.0))));
  CHECK(LogSoftmax(-1)(x).at<float>({3}) == Approx(std::log(Softmax(0)(x).at<float>({3}))));
  CHECK(LeakyReLU().repr() == "LeakyReLU(negative_slope=0.01)");
  CHECK(ScaledTanh().repr() == "ScaledTanh(amplitude=1.7159, slope=0.6666666666666666)");
  CHECK(Flatten().repr() == "Flatten(start_dim=1, end_dim=-1)");
  CHECK(Identity()(x).impl() == x.impl());
}

TEST_CASE("loss modules wrap the loss ops", "[layers]") {
  const Tensor logits = from_vector(std::vector<float>{1, 2, 3, 1, 1, 1}, {2, 3});
  const Tensor target = from_vector(std::vector<int64_t>{2, 0}, {2});
  const double ce = ((std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3) + std::log(3.0)) / 2;
  CHECK(CrossEntropyLoss()(logits, target).item() == Approx(ce));
  CHECK(CrossEntropyLoss(Reduction::sum)(logits, target).item() == Approx(2 * ce));
  CHECK(NLLLoss()(logits, target).item() == Approx(-(3.0 + 1.0) / 2));
  CHECK(MSELoss()(logits, zeros({2, 3})).item() == Approx((1 + 4 + 9 + 3) / 6.0));
}

TEST_CASE("summary lists output shapes, parameters and multiply-adds", "[layers][summary]") {
  Sequential net{{"flat", std::make_shared<Flatten>()},
                 {"fc1", std::make_shared<Linear>(12, 5)},
                 {"act", std::make_shared<ReLU>()},
                 {"fc2", std::make_shared<Linear>(5, 3)}};
  const std::string s = summary(net, {3, 4});
  INFO(s);
  CHECK(s.find("fc1 (Linear)") != std::string::npos);
  CHECK(s.find("[1, 5]") != std::string::npos);
  CHECK(s.find("65") != std::string::npos);  // fc1: 12*5 + 5 parameters
  CHECK(s.find("Trainable params: 83") != std::string::npos);
  CHECK(s.find("Mult-adds per sample: 75") != std::string::npos);  // 60 + 15
  CHECK(net.is_training());
}
