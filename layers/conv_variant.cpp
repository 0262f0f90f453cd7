#include "layers/conv_variant.hpp"

#include <array>
#include <cmath>

#include "framework/errors.hpp"
#include "layers/connection_conv.hpp"
#include "layers/conv.hpp"
#include "layers/named_enum.hpp"
#include "layers/pooling.hpp"
#include "layers/sequential.hpp"
#include "layers/shared_conv.hpp"

namespace tapenet::models {
namespace {

constexpr std::array<std::pair<ConvVariant, const char*>, 10> kNames = {{
    {ConvVariant::dense, "dense"},
    {ConvVariant::lenet5_table, "lenet5_table"},
    {ConvVariant::random_table, "random_table"},
    {ConvVariant::grouped, "grouped"},
    {ConvVariant::shared_sum, "shared_sum"},
    {ConvVariant::shared_mean, "shared_mean"},
    {ConvVariant::shared_max, "shared_max"},
    {ConvVariant::depthwise_separable, "depthwise_separable"},
    {ConvVariant::bsconv_u, "bsconv_u"},
    {ConvVariant::maxout, "maxout"},
}};

[[noreturn]] void invalid(const ConvVariantOptions& o, const std::string& what) {
  throw ValueError("make_conv(" + to_string(o.variant()) + ", " + std::to_string(o.in_channels()) + " -> " +
                   std::to_string(o.out_channels()) + "): " + what);
}

nn::Conv2dOptions conv_options(const ConvVariantOptions& o, int64_t in, int64_t out) {
  return nn::Conv2dOptions(in, out, o.kernel_size()).stride(o.stride()).padding(o.padding()).bias(o.bias());
}

std::shared_ptr<Module> shared(const ConvVariantOptions& o, ChannelReduce reduce) {
  return std::make_shared<nn::SharedConv2d>(nn::SharedConv2dOptions(o.in_channels(), o.out_channels(), o.kernel_size())
                                                .reduce(reduce)
                                                .stride(o.stride())
                                                .padding(o.padding())
                                                .bias(o.bias()));
}

std::shared_ptr<Module> with_table(const ConvVariantOptions& o, ConnectionTable table) {
  return std::make_shared<nn::ConnectionConv2d>(
      nn::ConnectionConv2dOptions(o.in_channels(), o.out_channels(), o.kernel_size(), std::move(table))
          .stride(o.stride())
          .padding(o.padding())
          .bias(o.bias()));
}

ConnectionTable random_table(const ConvVariantOptions& o) {
  const int64_t pairs = o.in_channels() * o.out_channels();
  const auto connections = static_cast<int64_t>(std::llround(o.density() * double(pairs)));
  if (!(o.density() > 0 && o.density() <= 1) || connections < o.out_channels())
    invalid(o, "density " + std::to_string(o.density()) + " leaves an output map without inputs");
  return ConnectionTable::random_connections(o.in_channels(), o.out_channels(), connections, o.table_seed());
}

}  // namespace

std::string to_string(ConvVariant variant) { return enum_name(kNames, variant, "convolution variant"); }

ConvVariant parse_conv_variant(const std::string& name) { return parse_enum(kNames, name, "convolution variant"); }

const std::vector<ConvVariant>& all_conv_variants() {
  static const std::vector<ConvVariant> all = [] {
    std::vector<ConvVariant> v;
    for (const auto& entry : kNames) v.push_back(entry.first);
    return v;
  }();
  return all;
}

std::shared_ptr<Module> make_conv(const ConvVariantOptions& o) {
  const int64_t in = o.in_channels(), out = o.out_channels();
  if (in <= 0 || out <= 0) invalid(o, "channel counts must be positive");
  switch (o.variant()) {
    case ConvVariant::dense:
      return std::make_shared<nn::Conv2d>(conv_options(o, in, out));
    case ConvVariant::lenet5_table:
      if (in != 6 || out != 16) invalid(o, "the lenet5 table connects 6 input maps to 16 output maps");
      return with_table(o, ConnectionTable::lenet5());
    case ConvVariant::random_table:
      return with_table(o, random_table(o));
    case ConvVariant::grouped:
      if (o.groups() < 1 || in % o.groups() != 0 || out % o.groups() != 0)
        invalid(o, "groups=" + std::to_string(o.groups()) + " must divide both channel counts");
      return std::make_shared<nn::Conv2d>(conv_options(o, in, out).groups(o.groups()));
    case ConvVariant::shared_sum:
      return shared(o, ChannelReduce::sum);
    case ConvVariant::shared_mean:
      return shared(o, ChannelReduce::mean);
    case ConvVariant::shared_max:
      return shared(o, ChannelReduce::max);
    case ConvVariant::depthwise_separable:
      return std::make_shared<nn::Sequential>(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>>{
          {"depthwise", std::make_shared<nn::Conv2d>(conv_options(o, in, in).groups(in))},
          {"pointwise", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, 1).bias(o.bias()))}});
    case ConvVariant::bsconv_u:
      // Haase & Amthor's BSConv-U: the pointwise step carries no bias, the depthwise one does.
      return std::make_shared<nn::Sequential>(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>>{
          {"pointwise", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, 1).bias(false))},
          {"depthwise", std::make_shared<nn::Conv2d>(conv_options(o, out, out).groups(out))}});
    case ConvVariant::maxout:
      if (o.maxout_k() < 1) invalid(o, "maxout_k must be positive, got " + std::to_string(o.maxout_k()));
      return std::make_shared<nn::Sequential>(std::initializer_list<std::pair<std::string, std::shared_ptr<Module>>>{
          {"conv", std::make_shared<nn::Conv2d>(conv_options(o, in, out * o.maxout_k()))},
          {"pool", std::make_shared<nn::ChannelMaxPool>(o.maxout_k())}});
  }
  invalid(o, "unknown variant");
}

}  // namespace tapenet::models
