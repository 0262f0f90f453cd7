#include "examples/study/network.hpp"

#include <algorithm>

#include "framework/errors.hpp"
#include "framework/random.hpp"
#include "framework/summary.hpp"
#include "layers/allconv.hpp"
#include "layers/lenet5.hpp"

namespace tapenet::study {
namespace {

/// The layer variant and its group count for a study variant name (matched_dense is dense).
models::ConvVariant layer_variant(const std::string& variant, int64_t& groups) {
  groups = variant == "grouped_g3" ? 3 : 2;
  if (variant == "grouped_g2" || variant == "grouped_g3") return models::ConvVariant::grouped;
  if (variant == "matched_dense") return models::ConvVariant::dense;
  return models::parse_conv_variant(variant);
}

models::AllConvOptions allconv_options(const NetworkConfig& network, const std::string& variant, uint64_t seed,
                                       const datasets::ImageShape& shape) {
  int64_t groups = 2;
  const auto layer = layer_variant(variant, groups);
  return models::AllConvOptions()
      .variant(layer)
      .groups(groups)
      .widths(network.widths)
      .batch_norm(network.batch_norm)
      .in_channels(shape.channels)
      .table_seed(seed);
}

std::shared_ptr<nn::Sequential> build_model(const StudyConfig& config, const NetworkConfig& network,
                                            const std::string& variant, uint64_t seed,
                                            const datasets::ImageShape& shape) {
  if (network.name == "lenet5") {
    if (variant == "matched_dense")
      throw ValueError("C3 holds under 3% of LeNet-5's parameters: a parameter-matched dense LeNet-5 is LeNet-5");
    int64_t groups = 2;
    const auto layer = layer_variant(variant, groups);
    manual_seed(seed);
    return models::lenet5(models::LeNet5Options()
                              .c3(layer)
                              .groups(groups)
                              .in_channels(shape.channels)
                              .image_size(shape.height)
                              .table_seed(seed));
  }
  auto options = allconv_options(network, variant, seed, shape);
  if (variant == "matched_dense") {
    const auto target = models::allconv(allconv_options(network, config.matched_to, seed, shape))->num_parameters();
    options.widths(models::matched_dense_widths(options, target));
  }
  manual_seed(seed);
  return models::allconv(options);
}

/// The live parameters of the swapped layers: lenet5's "c3", allconv's "stage<s>.conv" for s >= 1.
int64_t swapped_parameters(Module& model, const std::string& network) {
  int64_t total = 0;
  for (const auto& [name, module] : model.named_modules()) {
    const bool stage_conv = name.starts_with("stage") && !name.starts_with("stage0.") && name.ends_with(".conv") &&
                            std::count(name.begin(), name.end(), '.') == 1;
    if (network == "lenet5" ? name == "c3" : stage_conv) total += module->num_parameters();
  }
  return total;
}

}  // namespace

BuiltNetwork build_network(const StudyConfig& config, const NetworkConfig& network, const std::string& variant,
                           uint64_t seed, const datasets::ImageShape& shape) {
  BuiltNetwork built;
  try {
    built.model = build_model(config, network, variant, seed, shape);
  } catch (const ValueError& e) {
    throw ValueError(network.name + " with " + variant + ": " + e.what());
  }
  built.parameters = built.model->num_parameters();
  built.swapped_parameters = swapped_parameters(*built.model, network.name);
  built.macs = macs_per_sample(*built.model, {shape.channels, shape.height, shape.width});
  return built;
}


}  // namespace tapenet::study
