#include "layers/lenet5.hpp"

#include <array>

#include "framework/errors.hpp"
#include "layers/activation.hpp"
#include "layers/conv.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/named_enum.hpp"
#include "layers/pooling.hpp"

namespace tapenet::models {
namespace {

constexpr std::array<std::pair<Activation, const char*>, 2> kActivations = {
    {{Activation::relu, "relu"}, {Activation::tanh, "tanh"}}};
constexpr std::array<std::pair<Pooling, const char*>, 2> kPoolings = {{{Pooling::max, "max"}, {Pooling::avg, "avg"}}};

std::shared_ptr<Module> activation(Activation a) {
  if (a == Activation::tanh) return std::make_shared<nn::Tanh>();
  return std::make_shared<nn::ReLU>();
}

std::shared_ptr<Module> pool(Pooling p) {
  if (p == Pooling::avg) return std::make_shared<nn::AvgPool2d>(2);
  return std::make_shared<nn::MaxPool2d>(2);
}

}  // namespace

Activation parse_activation(const std::string& name) { return parse_enum(kActivations, name, "activation"); }
Pooling parse_pooling(const std::string& name) { return parse_enum(kPoolings, name, "pooling"); }
std::string to_string(Activation a) { return enum_name(kActivations, a, "activation"); }
std::string to_string(Pooling p) { return enum_name(kPoolings, p, "pooling"); }

std::shared_ptr<nn::Sequential> lenet5(const LeNet5Options& o) {
  if (o.image_size() < 16)
    throw ValueError("lenet5: image_size must be at least 16 (C3 needs a 5x5 window after S2), got " +
                     std::to_string(o.image_size()));
  // 28 -> C1 (pad 2) 28 -> S2 14 -> C3 10 -> S4 5.
  const int64_t side = (o.image_size() / 2 - 4) / 2;
  const auto c3 = make_conv(ConvVariantOptions(o.c3(), 6, 16, 5)
                                .groups(o.groups())
                                .density(o.density())
                                .table_seed(o.table_seed()));
  auto net = std::make_shared<nn::Sequential>();
  net->push_back("c1", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), 6, 5).padding(2)))
      .push_back("act1", activation(o.activation()))
      .push_back("s2", pool(o.pooling()))
      .push_back("c3", c3)
      .push_back("act3", activation(o.activation()))
      .push_back("s4", pool(o.pooling()))
      .push_back("flatten", std::make_shared<nn::Flatten>())
      .push_back("c5", std::make_shared<nn::Linear>(16 * side * side, 120))
      .push_back("act5", activation(o.activation()))
      .push_back("f6", std::make_shared<nn::Linear>(120, 84))
      .push_back("act6", activation(o.activation()))
      .push_back("output", std::make_shared<nn::Linear>(84, o.num_classes()));
  return net;
}

}  // namespace tapenet::models
