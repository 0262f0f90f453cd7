#include <catch2/catch.hpp>

#include <cmath>

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/summary.hpp"
#include "layers/activation.hpp"
#include "layers/connection_conv.hpp"
#include "layers/conv.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pooling.hpp"
#include "layers/sequential.hpp"
#include "layers/shared_conv.hpp"

using namespace tapenet;
using namespace tapenet::nn;

namespace {

float max_abs(const Tensor& t) {
  float m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(t.data<float>()[i]));
  return m;
}

}  // namespace

TEST_CASE("Conv2d: PyTorch layout, init, repr and multiply-adds", "[layers][conv]") {
  Conv2d c1(Conv2dOptions(1, 6, 5).padding(2));
  CHECK(c1.weight.shape() == Shape{6, 1, 5, 5});
  CHECK(c1.num_parameters() == 156);
  CHECK(max_abs(c1.weight) <= 1 / 5.0f);  // 1 / sqrt(fan_in = 25)
  CHECK(c1.repr() == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))");
  CHECK(c1(ones({2, 1, 28, 28})).shape() == Shape{2, 6, 28, 28});
  Conv2d dw(Conv2dOptions(4, 4, {3, 2}).stride(2).dilation(2).groups(4));
  CHECK(dw.weight.shape() == Shape{4, 1, 3, 2});
  CHECK(dw.repr() == "Conv2d(4, 4, kernel_size=(3, 2), stride=(2, 2), dilation=(2, 2), groups=4)");
  Conv2d nb(Conv2dOptions(3, 32, 3).padding(1).bias(false));
  CHECK(nb.repr() == "Conv2d(3, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)");
  CHECK(nb.named_parameters().size() == 1);
  CHECK(c1.macs_per_sample({1, 1, 28, 28}, {1, 6, 28, 28}) == 6 * 28 * 28 * 25);
  CHECK_THROWS_WITH(Conv2d(Conv2dOptions(6, 16, 5).groups(4)), Catch::Contains("divisible by groups=4"));
}

TEST_CASE("ConnectionConv2d(lenet5): 1516 live parameters, zero unconnected weights, masked dense output",
          "[layers][connection_conv]") {
  manual_seed(3);
  ConnectionConv2d c3(ConnectionConv2dOptions(6, 16, 5, ConnectionTable::lenet5()));
  CHECK(c3.num_parameters() == 1516);
  CHECK(c3.weight.shape() == Shape{16, 6, 5, 5});
  const ConnectionTable t = ConnectionTable::lenet5();
  for (int64_t o = 0; o < 16; ++o) {
    // Each output is initialised with its own fan-in: |S_o| * 25.
    const float bound = 1 / std::sqrt(float(t.inputs_of(o).size() * 25));
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t k = 0; k < 25; ++k) {
        const float w = c3.weight.data<float>()[(o * 6 + i) * 25 + k];
        if (!t.connected(o, i)) CHECK(w == 0.0f);
        else CHECK(std::abs(w) <= bound);
      }
  }
  std::vector<std::string> keys;
  for (const auto& [k, v] : c3.state_dict()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"weight", "bias", "table"});
  const Tensor x = randn({3, 6, 14, 14});
  const Tensor y = c3(x);
  CHECK(allclose(y, conv2d(x, c3.weight, c3.bias), 1e-4, 1e-5));  // unconnected weights are zero
  sum(y * y).backward();
  for (int64_t o = 0; o < 16; ++o)
    for (int64_t i = 0; i < 6; ++i)
      if (!t.connected(o, i)) CHECK(c3.weight.grad().data<float>()[(o * 6 + i) * 25] == 0.0f);
  CHECK(c3.repr() == "ConnectionConv2d(6, 16, kernel_size=(5, 5), stride=(1, 1), connections=60/96)");
  CHECK_THROWS_WITH(ConnectionConv2d(ConnectionConv2dOptions(6, 10, 5, ConnectionTable::lenet5())),
                    Catch::Contains("table is [16, 6]"));
}

TEST_CASE("a connection table loaded from a state dict takes effect", "[layers][connection_conv]") {
  ConnectionConv2d a(ConnectionConv2dOptions(6, 16, 5, ConnectionTable::lenet5()));
  ConnectionConv2d b(ConnectionConv2dOptions(6, 16, 5, ConnectionTable::random(6, 16, 2, 1)));
  b.load_state_dict(a.state_dict());
  CHECK(b.table() == ConnectionTable::lenet5());
  CHECK(b.num_parameters() == 1516);
}

TEST_CASE("SharedConv2d: one kernel per output, out*k*k + out parameters", "[layers][shared_conv]") {
  for (ChannelReduce r : {ChannelReduce::sum, ChannelReduce::mean, ChannelReduce::max}) {
    SharedConv2d s(SharedConv2dOptions(6, 16, 5).reduce(r));
    CHECK(s.weight.shape() == Shape{16, 1, 5, 5});
    CHECK(s.num_parameters() == 16 * 25 + 16);
    CHECK(s(randn({2, 6, 14, 14})).shape() == Shape{2, 16, 10, 10});
  }
  SharedConv2d t(SharedConv2dOptions(6, 16, 5).reduce(ChannelReduce::max).table(ConnectionTable::lenet5()));
  std::vector<std::string> keys;
  for (const auto& [k, v] : t.state_dict()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"weight", "bias", "table"});
  CHECK(t.repr() == "SharedConv2d(6, 16, kernel_size=(5, 5), stride=(1, 1), reduce=max, connections=60)");
  CHECK_THROWS_AS(SharedConv2d(SharedConv2dOptions(5, 16, 5).table(ConnectionTable::lenet5())), ValueError);
}

TEST_CASE("LeNet-5 from these layers has PyTorch's parameter count per layer", "[layers][lenet]") {
  // PyTorch 1.13: Conv2d(1,6,5,padding=2) 156, Conv2d(6,16,5) 2416, Conv2d(16,120,5) 48120,
  // Linear(120,84) 10164, Linear(84,10) 850.
  Sequential lenet{{"c1", std::make_shared<Conv2d>(Conv2dOptions(1, 6, 5).padding(2))},
                   {"relu1", std::make_shared<ReLU>()},
                   {"s2", std::make_shared<MaxPool2d>(2)},
                   {"c3", std::make_shared<Conv2d>(Conv2dOptions(6, 16, 5))},
                   {"relu3", std::make_shared<ReLU>()},
                   {"s4", std::make_shared<MaxPool2d>(2)},
                   {"c5", std::make_shared<Conv2d>(Conv2dOptions(16, 120, 5))},
                   {"relu5", std::make_shared<ReLU>()},
                   {"flatten", std::make_shared<Flatten>()},
                   {"f6", std::make_shared<Linear>(120, 84)},
                   {"relu6", std::make_shared<ReLU>()},
                   {"out", std::make_shared<Linear>(84, 10)}};
  const std::vector<int64_t> expected = {156, 2416, 48120, 10164, 850};
  std::vector<int64_t> counts;
  for (const auto& [name, m] : lenet.named_children())
    if (m->num_parameters() > 0) counts.push_back(m->num_parameters());
  CHECK(counts == expected);
  CHECK(lenet(zeros({2, 1, 28, 28})).shape() == Shape{2, 10});
  const std::string s = summary(lenet, {1, 28, 28});
  INFO(s);
  CHECK(s.find("c3 (Conv2d)") != std::string::npos);
  CHECK(s.find("[1, 16, 10, 10]") != std::string::npos);
  CHECK(s.find("Trainable params: 61,706") != std::string::npos);
  // c1 117,600 + c3 240,000 + c5 48,000 + f6 10,080 + out 840 multiply-adds.
  CHECK(s.find("Mult-adds per sample: 416,520") != std::string::npos);
}
