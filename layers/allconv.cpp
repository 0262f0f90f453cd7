#include "layers/allconv.hpp"

#include <cmath>
#include <cstdlib>

#include "framework/errors.hpp"
#include "layers/activation.hpp"
#include "layers/batchnorm.hpp"
#include "layers/conv.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pooling.hpp"

namespace tapenet::models {
namespace {

// Parameters of allconv(o) with the dense variant and the given widths, without building it.
int64_t dense_parameters(const AllConvOptions& o, const std::vector<int64_t>& widths) {
  int64_t total = 0, in = o.in_channels();
  for (int64_t w : widths) {
    total += w * in * 9 + w + (o.batch_norm() ? 2 * w : 0);
    in = w;
  }
  return total + in * o.num_classes() + o.num_classes();
}

std::vector<int64_t> scaled(const std::vector<int64_t>& widths, double factor) {
  std::vector<int64_t> out;
  for (int64_t w : widths) out.push_back(std::max<int64_t>(6, 6 * std::llround(double(w) * factor / 6)));
  return out;
}

}  // namespace

std::shared_ptr<nn::Sequential> allconv(const AllConvOptions& o) {
  if (o.widths().empty()) throw ValueError("allconv: widths must not be empty");
  auto net = std::make_shared<nn::Sequential>();
  int64_t in = o.in_channels();
  for (std::size_t s = 0; s < o.widths().size(); ++s) {
    const int64_t out = o.widths()[s];
    if (out <= 0) throw ValueError("allconv: widths must be positive, got " + std::to_string(out));
    auto stage = std::make_shared<nn::Sequential>();
    stage->push_back("conv", make_conv(ConvVariantOptions(s == 0 ? ConvVariant::dense : o.variant(), in, out, 3)
                                           .padding(1)
                                           .bias(!o.batch_norm())
                                           .groups(o.groups())
                                           .density(o.density())
                                           .table_seed(o.table_seed() + s)));
    if (o.batch_norm()) stage->push_back("bn", std::make_shared<nn::BatchNorm2d>(out));
    stage->push_back("relu", std::make_shared<nn::ReLU>());
    if (s + 1 < o.widths().size()) stage->push_back("pool", std::make_shared<nn::MaxPool2d>(2));
    net->push_back("stage" + std::to_string(s), stage);
    in = out;
  }
  net->push_back("pool", std::make_shared<nn::AdaptiveAvgPool2d>(1))
      .push_back("flatten", std::make_shared<nn::Flatten>())
      .push_back("output", std::make_shared<nn::Linear>(in, o.num_classes()));
  return net;
}

std::vector<int64_t> matched_dense_widths(const AllConvOptions& o, int64_t target_parameters) {
  if (dense_parameters(o, scaled(o.widths(), 0)) > target_parameters)
    throw ValueError("matched_dense_widths: " + std::to_string(target_parameters) +
                     " parameters is below the narrowest network's " +
                     std::to_string(dense_parameters(o, scaled(o.widths(), 0))));
  // Parameters grow monotonically with the factor: bisect, then keep the closest rounding.
  double lo = 0, hi = 1;
  while (dense_parameters(o, scaled(o.widths(), hi)) < target_parameters) hi *= 2;
  for (int i = 0; i < 40; ++i) {
    const double mid = (lo + hi) / 2;
    (dense_parameters(o, scaled(o.widths(), mid)) < target_parameters ? lo : hi) = mid;
  }
  const auto below = scaled(o.widths(), lo), above = scaled(o.widths(), hi);
  return std::llabs(dense_parameters(o, below) - target_parameters) <=
                 std::llabs(dense_parameters(o, above) - target_parameters)
             ? below
             : above;
}

}  // namespace tapenet::models
