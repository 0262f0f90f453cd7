#include <catch2/catch.hpp>

#include "framework/factories.hpp"
#include "framework/ops/reduction.hpp"
#include "layers/batchnorm.hpp"
#include "layers/dropout.hpp"
#include "layers/pooling.hpp"

using namespace tapenet;
using namespace tapenet::nn;

TEST_CASE("pooling layers: shapes and PyTorch's reprs", "[layers][pooling]") {
  const Tensor x = randn({2, 3, 8, 9});
  CHECK(MaxPool2d(2)(x).shape() == Shape{2, 3, 4, 4});
  CHECK(AvgPool2d(3, 1, 1)(x).shape() == Shape{2, 3, 8, 9});
  CHECK(AdaptiveAvgPool2d(1)(x).shape() == Shape{2, 3, 1, 1});
  CHECK(AdaptiveAvgPool2d(1)(x).at<float>({1, 2, 0, 0}) == Approx(mean(x, {2, 3}).at<float>({1, 2})));
  CHECK(ChannelMaxPool(3)(x).shape() == Shape{2, 1, 8, 9});
  // Expected strings are torch 1.13's reprs of the same layers.
  CHECK(MaxPool2d(2).repr() == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(MaxPool2d({2, 3}, 1, 1, true).repr() ==
        "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=True)");
  CHECK(AvgPool2d(2).repr() == "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  CHECK(AdaptiveAvgPool2d(1).repr() == "AdaptiveAvgPool2d(output_size=1)");
  CHECK(AdaptiveAvgPool2d({2, 3}).repr() == "AdaptiveAvgPool2d(output_size=(2, 3))");
  CHECK_THROWS_AS(ChannelMaxPool(0), ValueError);
}

TEST_CASE("BatchNorm2d: PyTorch's state, running statistics, train and eval", "[layers][batchnorm]") {
  BatchNorm2d bn(2);
  std::vector<std::string> keys;
  for (const auto& [k, v] : bn.state_dict()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn.num_parameters() == 4);
  CHECK(bn.repr() == "BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  // Channel 0 holds 1..8, channel 1 holds 10 everywhere.
  Tensor x = full({2, 2, 2, 2}, 10.0);
  for (int64_t i = 0; i < 8; ++i) x.data<float>()[(i / 4) * 8 + i % 4] = float(i + 1);
  const Tensor y = bn(x);
  CHECK(mean(y, {0, 2, 3}).at<float>({0}) == Approx(0).margin(1e-6));
  CHECK(y.at<float>({0, 1, 0, 0}) == Approx(0).margin(1e-6));
  CHECK(bn.running_mean.at<float>({0}) == Approx(0.1 * 4.5));
  CHECK(bn.running_var.at<float>({0}) == Approx(0.9 + 0.1 * 6.0));  // unbiased variance of 1..8 is 6
  CHECK(bn.num_batches_tracked.at<int64_t>({}) == 1);
  bn.eval();
  const Tensor z = bn(x);
  CHECK(z.at<float>({0, 0, 0, 0}) == Approx((1 - 0.45) / std::sqrt(1.5 + 1e-5)));
  CHECK(bn.num_batches_tracked.at<int64_t>({}) == 1);
  CHECK_THROWS_WITH(bn(ones({2, 3, 2, 2})), Catch::Contains("BatchNorm2d") && Catch::Contains("[2, 3, 2, 2]"));
  BatchNorm1d bn1(BatchNormOptions(3).affine(false).track_running_stats(false));
  CHECK(bn1.state_dict().empty());
  CHECK(bn1(randn({4, 3})).shape() == Shape{4, 3});
  CHECK(bn1(randn({4, 3, 5})).shape() == Shape{4, 3, 5});
  CHECK_THROWS_AS(bn1(randn({4, 3, 5, 5})), ValueError);
}

TEST_CASE("Dropout: seeded in training, identity in eval", "[layers][dropout]") {
  Dropout a(0.5, 7), b(0.5, 7);
  const Tensor x = ones({1000});
  const Tensor ya = a(x), yb = b(x);
  CHECK(allclose(ya, yb, 0, 0));
  const double kept = sum(ya).item() / 2.0;  // survivors are scaled by 2
  CHECK(kept == Approx(500).margin(60));
  a.eval();
  CHECK(a(x).impl() == x.impl());
  CHECK(Dropout().repr() == "Dropout(p=0.5, inplace=False)");
  CHECK(Dropout(0.25).repr() == "Dropout(p=0.25, inplace=False)");
  CHECK_THROWS_AS(Dropout(1.5), ValueError);
}
