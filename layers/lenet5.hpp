#pragma once
/// \file LeNet-5 (LeCun et al. 1998) with its C3 layer replaceable by any convolution variant.
#include <memory>

#include "layers/conv_variant.hpp"
#include "layers/sequential.hpp"

namespace tapenet::models {

enum class Activation { relu, tanh };
enum class Pooling { max, avg };

/// "relu" / "tanh" and "max" / "avg"; ValueError naming the valid values otherwise.
Activation parse_activation(const std::string& name);
Pooling parse_pooling(const std::string& name);
std::string to_string(Activation activation);
std::string to_string(Pooling pooling);

struct LeNet5Options {
  /// The C3 variant; LeNet-5's own is the lenet5 connection table.
  TAPENET_OPTION(LeNet5Options, ConvVariant, c3, ConvVariant::lenet5_table)
  TAPENET_OPTION(LeNet5Options, Activation, activation, Activation::relu)
  TAPENET_OPTION(LeNet5Options, Pooling, pooling, Pooling::max)
  TAPENET_OPTION(LeNet5Options, int64_t, in_channels, 1)
  /// Side of the square input images (28 for MNIST, 32 for CIFAR-10).
  TAPENET_OPTION(LeNet5Options, int64_t, image_size, 28)
  TAPENET_OPTION(LeNet5Options, int64_t, num_classes, 10)
  /// C3 variant options: groups, density and table_seed of grouped / random_table.
  TAPENET_OPTION(LeNet5Options, int64_t, groups, 2)
  TAPENET_OPTION(LeNet5Options, double, density, 60.0 / 96.0)
  TAPENET_OPTION(LeNet5Options, uint64_t, table_seed, 0)
};

/// C1 conv in->6 5×5 pad 2, act, S2 pool 2 → C3 (variant) 6->16 5×5, act, S4 pool 2 → flatten →
/// C5 Linear(16·s·s, 120), act → F6 Linear(120, 84), act → output Linear(84, num_classes), with
/// s = image_size/4 - 3 (5 for 28×28). Children: c1 act1 s2 c3 act3 s4 flatten c5 act5 f6 act6
/// output, so state-dict keys read "c3.weight". Parameters come from the default generator.
/// Input [N, in_channels, image_size, image_size] -> logits [N, num_classes]. Throws ValueError
/// for an image_size below 16 or a C3 variant that cannot map 6 -> 16 maps.
std::shared_ptr<nn::Sequential> lenet5(const LeNet5Options& options = {});

}  // namespace tapenet::models
