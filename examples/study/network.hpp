#pragma once
/// \file Builds a study network (LeNet-5 or the all-conv net) with one study variant swapped in,
/// and measures it: parameters in total and in the swapped layers, multiply-adds per image.
#include <cstdint>
#include <memory>
#include <string>

#include "datasets/dataset.hpp"
#include "examples/study/config.hpp"
#include "layers/sequential.hpp"

namespace tapenet::study {

/// A built network and its measurements.
struct BuiltNetwork {
  std::shared_ptr<nn::Sequential> model;
  int64_t parameters = 0;          ///< trainable, live weights of the whole network
  int64_t swapped_parameters = 0;  ///< those of the swapped layers (lenet5 "c3"; allconv "stage1.conv", ...)
  int64_t macs = 0;                ///< multiply-adds per image (forward)
};

/// Builds `network` with `variant` (a study variant name) for images of `shape` and 10 classes,
/// reseeding the default generator with `seed` just before the weights are drawn (random tables
/// use `seed` too), so equal seeds give equal networks. matched_dense first sizes the dense
/// allconv to the parameter count of config.matched_to. Throws ValueError (naming the network and
/// the variant) for a combination that cannot be built: lenet5_table outside 6 -> 16, groups not
/// dividing a width, matched_dense on lenet5 (C3 holds under 3 % of LeNet-5's parameters, so a
/// matched network would be LeNet-5 itself).
BuiltNetwork build_network(const StudyConfig& config, const NetworkConfig& network, const std::string& variant,
                           uint64_t seed, const datasets::ImageShape& shape);


}  // namespace tapenet::study
