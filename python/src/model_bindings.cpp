// tn.models: the convolution variants by name, LeNet-5 with a swappable C3 and the all-conv network
// (layers/conv_variant, layers/lenet5, layers/allconv), so Python scripts build exactly the networks of the C++ programs and the study.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "layers/allconv.hpp"
#include "layers/lenet5.hpp"
#include "nn_common.hpp"

namespace py = pybind11;

namespace tapenet::python {

void bind_models(py::module_& m) {
  py::module_ models = m.def_submodule("_models", "Model builders (see tapenet.models).");
  models.def(
      "conv_variants",
      [] {
        std::vector<std::string> names;
        for (auto v : tapenet::models::all_conv_variants()) names.push_back(tapenet::models::to_string(v));
        return names;
      },
      "The names of the convolution variants make_conv builds.");
  models.def(
      "make_conv",
      [](const std::string& variant, int64_t in_channels, int64_t out_channels, py::handle kernel_size,
         py::handle stride, py::handle padding, bool bias, int64_t groups, double density, uint64_t table_seed,
         int64_t maxout_k) {
        return tapenet::models::make_conv(
            tapenet::models::ConvVariantOptions(tapenet::models::parse_conv_variant(variant), in_channels,
                                                out_channels, size2d_from_py(kernel_size, "kernel_size"))
                .stride(size2d_from_py(stride, "stride"))
                .padding(size2d_from_py(padding, "padding"))
                .bias(bias)
                .groups(groups)
                .density(density)
                .table_seed(table_seed)
                .maxout_k(maxout_k));
      },
      py::arg("variant"), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
      py::arg("stride") = 1, py::arg("padding") = 0, py::arg("bias") = true, py::arg("groups") = 2,
      py::arg("density") = 60.0 / 96.0, py::arg("table_seed") = 0, py::arg("maxout_k") = 2,
      R"doc(A k×k convolution from in_channels to out_channels maps wired as ``variant`` (one of
conv_variants()): a Conv2d, ConnectionConv2d or SharedConv2d, or a Sequential of two layers for
depthwise_separable, bsconv_u and maxout. ``groups`` is used by grouped, ``density`` and
``table_seed`` by random_table, ``maxout_k`` by maxout. ValueError for sizes the variant cannot take.)doc");
  models.def(
      "lenet5",
      [](const std::string& c3, const std::string& activation, const std::string& pooling, int64_t in_channels,
         int64_t image_size, int64_t num_classes, int64_t groups, double density, uint64_t table_seed) {
        return tapenet::models::lenet5(tapenet::models::LeNet5Options()
                                           .c3(tapenet::models::parse_conv_variant(c3))
                                           .activation(tapenet::models::parse_activation(activation))
                                           .pooling(tapenet::models::parse_pooling(pooling))
                                           .in_channels(in_channels)
                                           .image_size(image_size)
                                           .num_classes(num_classes)
                                           .groups(groups)
                                           .density(density)
                                           .table_seed(table_seed));
      },
      py::arg("c3") = "lenet5_table", py::arg("activation") = "relu", py::arg("pooling") = "max",
      py::arg("in_channels") = 1, py::arg("image_size") = 28, py::arg("num_classes") = 10, py::arg("groups") = 2,
      py::arg("density") = 60.0 / 96.0, py::arg("table_seed") = 0,
      R"doc(LeNet-5 as a Sequential: c1 (conv 5×5 pad 2 to 6 maps), act1, s2 (pool 2), c3 (the ``c3``
variant, 6 -> 16 maps, 5×5), act3, s4, flatten, c5 (Linear to 120), act5, f6 (Linear to 84), act6,
output (Linear to num_classes). activation: "relu" or "tanh"; pooling: "max" or "avg".)doc");
  const auto allconv_options = [](const std::string& variant, std::vector<int64_t> widths, bool batch_norm,
                                  int64_t in_channels, int64_t num_classes, int64_t groups, double density,
                                  uint64_t table_seed) {
    return tapenet::models::AllConvOptions()
        .variant(tapenet::models::parse_conv_variant(variant))
        .widths(std::move(widths))
        .batch_norm(batch_norm)
        .in_channels(in_channels)
        .num_classes(num_classes)
        .groups(groups)
        .density(density)
        .table_seed(table_seed);
  };
  models.def(
      "allconv",
      [allconv_options](const std::string& variant, std::vector<int64_t> widths, bool batch_norm, int64_t in_channels,
                        int64_t num_classes, int64_t groups, double density, uint64_t table_seed) {
        return tapenet::models::allconv(allconv_options(variant, std::move(widths), batch_norm, in_channels,
                                                        num_classes, groups, density, table_seed));
      },
      py::arg("variant") = "dense", py::arg("widths") = std::vector<int64_t>{24, 48, 96}, py::arg("batch_norm") = true,
      py::arg("in_channels") = 1, py::arg("num_classes") = 10, py::arg("groups") = 2,
      py::arg("density") = 60.0 / 96.0, py::arg("table_seed") = 0,
      R"doc(The all-conv network as a Sequential: stage0 .. stageS-1 (conv 3×3 pad 1 to widths[s],
batch norm, ReLU, max-pool 2 except after the last), global average pooling, flatten, output
Linear(widths[-1], num_classes). Every convolution after the first is ``variant``.)doc");
  models.def(
      "matched_dense_widths",
      [allconv_options](int64_t target_parameters, std::vector<int64_t> widths, bool batch_norm, int64_t in_channels,
                        int64_t num_classes) {
        return tapenet::models::matched_dense_widths(
            allconv_options("dense", std::move(widths), batch_norm, in_channels, num_classes, 2, 0.625, 0),
            target_parameters);
      },
      py::arg("target_parameters"), py::arg("widths") = std::vector<int64_t>{24, 48, 96},
      py::arg("batch_norm") = true, py::arg("in_channels") = 1, py::arg("num_classes") = 10,
      "Widths (multiples of 6) of a narrower dense allconv with about ``target_parameters`` parameters.");
}

}  // namespace tapenet::python
