#include <catch2/catch.hpp>

#include "framework/connection_table.hpp"
#include "framework/factories.hpp"
#include "framework/random.hpp"
#include "framework/summary.hpp"
#include "layers/allconv.hpp"
#include "layers/conv_variant.hpp"
#include "layers/lenet5.hpp"

using namespace tapenet;
using namespace tapenet::models;

TEST_CASE("every convolution variant maps LeNet's S2 to C3's shape with its own parameter count", "[models]") {
  manual_seed(0);
  const Tensor x = randn({2, 6, 14, 14});
  // Live parameters of C3 (6 -> 16, 5x5) in each variant.
  const std::vector<std::pair<ConvVariant, int64_t>> expected = {
      {ConvVariant::dense, 16 * 6 * 25 + 16},
      {ConvVariant::lenet5_table, 60 * 25 + 16},
      {ConvVariant::random_table, 60 * 25 + 16},  // the default density is the lenet5 table's
      {ConvVariant::grouped, 16 * 3 * 25 + 16},
      {ConvVariant::shared_sum, 16 * 25 + 16},
      {ConvVariant::shared_mean, 16 * 25 + 16},
      {ConvVariant::shared_max, 16 * 25 + 16},
      {ConvVariant::depthwise_separable, (6 * 25 + 6) + (6 * 16 + 16)},
      {ConvVariant::bsconv_u, 6 * 16 + (16 * 25 + 16)},
      {ConvVariant::maxout, 32 * 6 * 25 + 32},
  };
  REQUIRE(expected.size() == all_conv_variants().size());
  for (const auto& [variant, params] : expected) {
    INFO(to_string(variant));
    const auto conv = make_conv(ConvVariantOptions(variant, 6, 16, 5));
    CHECK((*conv)(x).shape() == Shape{2, 16, 10, 10});
    CHECK(conv->num_parameters() == params);
    CHECK(parse_conv_variant(to_string(variant)) == variant);
  }
}

TEST_CASE("variant options reach the layers: padding, stride, groups, density, seed", "[models]") {
  manual_seed(0);
  const Tensor x = randn({1, 6, 9, 9});
  for (ConvVariant v : all_conv_variants()) {
    if (v == ConvVariant::lenet5_table) continue;  // only 6 -> 16
    INFO(to_string(v));
    const auto conv = make_conv(ConvVariantOptions(v, 6, 12, 3).padding(1).stride(2).groups(3));
    CHECK((*conv)(x).shape() == Shape{1, 12, 5, 5});
  }
  const auto g3 = make_conv(ConvVariantOptions(ConvVariant::grouped, 6, 12, 3).groups(3));
  CHECK(g3->num_parameters() == 12 * 2 * 9 + 12);
  const auto half = make_conv(ConvVariantOptions(ConvVariant::random_table, 6, 16, 5).density(0.5).table_seed(4));
  CHECK(half->num_parameters() == 48 * 25 + 16);
  const auto buffer = [](const std::shared_ptr<Module>& m) { return m->named_buffers().at(0).second; };
  const auto again = make_conv(ConvVariantOptions(ConvVariant::random_table, 6, 16, 5).density(0.5).table_seed(4));
  const auto other = make_conv(ConvVariantOptions(ConvVariant::random_table, 6, 16, 5).density(0.5).table_seed(5));
  CHECK(ConnectionTable::from_tensor(buffer(half)) == ConnectionTable::from_tensor(buffer(again)));
  CHECK_FALSE(ConnectionTable::from_tensor(buffer(half)) == ConnectionTable::from_tensor(buffer(other)));
  CHECK(ConnectionTable::from_tensor(buffer(half)) == ConnectionTable::random_connections(6, 16, 48, 4));
}

TEST_CASE("variants refuse sizes they cannot take, naming the variant", "[models]") {
  CHECK_THROWS_WITH(make_conv(ConvVariantOptions(ConvVariant::lenet5_table, 6, 12, 5)),
                    Catch::Contains("make_conv(lenet5_table, 6 -> 12)") && Catch::Contains("6 input maps to 16"));
  CHECK_THROWS_WITH(make_conv(ConvVariantOptions(ConvVariant::grouped, 6, 16, 5).groups(3)),
                    Catch::Contains("groups=3 must divide"));
  CHECK_THROWS_WITH(make_conv(ConvVariantOptions(ConvVariant::random_table, 6, 16, 5).density(0.1)),
                    Catch::Contains("without inputs"));
  CHECK_THROWS_WITH(parse_conv_variant("sparse"),
                    Catch::Contains("unknown convolution variant 'sparse'") && Catch::Contains("bsconv_u, maxout"));
  CHECK(parse_conv_variant("shared-max") == ConvVariant::shared_max);
  CHECK_THROWS_WITH(parse_activation("gelu"), Catch::Contains("valid: relu, tanh"));
}

TEST_CASE("LeNet-5: layer names, parameter counts and shapes", "[models]") {
  manual_seed(1);
  const auto net = lenet5();
  // 156 (C1) + 1516 (C3, lenet5 table) + 48120 (C5) + 10164 (F6) + 850 (output).
  CHECK(net->num_parameters() == 156 + 1516 + 48120 + 10164 + 850);
  std::vector<std::string> keys;
  for (const auto& [name, p] : net->state_dict()) keys.push_back(name);
  CHECK(keys == std::vector<std::string>{"c1.weight", "c1.bias", "c3.weight", "c3.bias", "c3.table", "c5.weight",
                                         "c5.bias", "f6.weight", "f6.bias", "output.weight", "output.bias"});
  CHECK((*net)(randn({3, 1, 28, 28})).shape() == Shape{3, 10});
  const auto dense = lenet5(LeNet5Options().c3(ConvVariant::dense));
  CHECK(dense->num_parameters() == 156 + 2416 + 48120 + 10164 + 850);
  const auto cifar = lenet5(LeNet5Options().in_channels(3).image_size(32).activation(Activation::tanh)
                                .pooling(Pooling::avg).num_classes(100));
  CHECK((*cifar)(randn({2, 3, 32, 32})).shape() == Shape{2, 100});
  CHECK(cifar->named_children().at(0).second->type_name() == "Conv2d");
  CHECK(cifar->named_children().at(1).second->type_name() == "Tanh");
  CHECK(cifar->named_children().at(2).second->type_name() == "AvgPool2d");
  CHECK_THROWS_WITH(lenet5(LeNet5Options().image_size(12)), Catch::Contains("image_size must be at least 16"));
}

TEST_CASE("the all-conv network swaps every convolution after the first", "[models]") {
  manual_seed(2);
  const auto dense = allconv();
  // Stages 1->24, 24->48, 48->96 (3x3, no bias before batch norm), batch norm 2 x width, head 96->10.
  const int64_t convs = 24 * 9 + 48 * 24 * 9 + 96 * 48 * 9, norms = 2 * (24 + 48 + 96), head = 96 * 10 + 10;
  CHECK(dense->num_parameters() == convs + norms + head);
  CHECK((*dense)(randn({2, 1, 28, 28})).shape() == Shape{2, 10});
  const auto shared = allconv(AllConvOptions().variant(ConvVariant::shared_sum));
  CHECK(shared->num_parameters() == 24 * 9 + 48 * 9 + 96 * 9 + norms + head);
  CHECK((*shared)(randn({2, 1, 28, 28})).shape() == Shape{2, 10});
  for (ConvVariant v : all_conv_variants()) {
    if (v == ConvVariant::lenet5_table) continue;
    INFO(to_string(v));
    const auto net = allconv(AllConvOptions().variant(v).groups(3).in_channels(3).widths({12, 24}));
    CHECK((*net)(randn({1, 3, 8, 8})).shape() == Shape{1, 10});
  }
  CHECK_THROWS_WITH(allconv(AllConvOptions().variant(ConvVariant::lenet5_table)), Catch::Contains("lenet5_table"));
  CHECK_THROWS_WITH(allconv(AllConvOptions().widths({})), Catch::Contains("widths must not be empty"));
}

TEST_CASE("matched dense widths come close to a target parameter count", "[models]") {
  const AllConvOptions o;
  const int64_t target = allconv(AllConvOptions().variant(ConvVariant::shared_sum))->num_parameters();
  const auto widths = matched_dense_widths(o, target);
  REQUIRE(widths.size() == 3);
  for (int64_t w : widths) CHECK(w % 6 == 0);
  CHECK(widths[0] < 24);
  const int64_t matched = allconv(AllConvOptions().widths(widths))->num_parameters();
  // The next coarser or finer rounding would be further away: within a 6-map step of the target.
  CHECK(std::abs(matched - target) < target / 3);
  CHECK(matched_dense_widths(o, allconv()->num_parameters()) == std::vector<int64_t>{24, 48, 96});
  CHECK_THROWS_WITH(matched_dense_widths(o, 10), Catch::Contains("below the narrowest"));
}

TEST_CASE("summary and macs_per_sample leave batch-norm statistics and every module's mode alone", "[models]") {
  manual_seed(3);
  const auto net = allconv(AllConvOptions().widths({6, 12}));
  const auto stage1 = net->named_children().at(1).second;
  stage1->eval();  // mixed modes: the root trains, one stage evaluates
  const StateDict before = net->state_dict();
  const std::string table = summary(*net, {1, 8, 8});
  CHECK_THAT(table, Catch::Contains("Mult-adds per sample"));
  CHECK(macs_per_sample(*net, {1, 8, 8}) == 6 * 9 * 64 + 12 * 6 * 9 * 16 + 12 * 10);
  CHECK(net->is_training());
  CHECK_FALSE(stage1->is_training());
  CHECK(net->named_children().at(0).second->is_training());
  const StateDict after = net->state_dict();
  for (std::size_t i = 0; i < before.size(); ++i) {
    INFO(before[i].first);
    CHECK(allclose(before[i].second, after[i].second, 0, 0));
  }
  // LeNet-5 with the lenet5 table: C1 117 600 + C3 150 000 + C5 48 000 + F6 10 080 + output 840.
  CHECK(macs_per_sample(*lenet5(), {1, 28, 28}) == 326520);
}
