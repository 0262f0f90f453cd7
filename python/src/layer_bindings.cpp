// tn.nn layers (Conv2d, ConnectionConv2d, SharedConv2d, pooling, BatchNorm, Dropout, Linear,
// activations, Flatten, Identity, Sequential, losses) and the layer functions of
// tn.nn.functional, with PyTorch's keyword names.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "framework/ops.hpp"
#include "framework/ops/connection_conv.hpp"
#include "framework/ops/conv.hpp"
#include "framework/ops/dropout.hpp"
#include "framework/ops/linear.hpp"
#include "framework/ops/normalization.hpp"
#include "framework/ops/pooling.hpp"
#include "framework/ops/shared_conv.hpp"
#include "framework/random.hpp"
#include "layers/activation.hpp"
#include "layers/batchnorm.hpp"
#include "layers/connection_conv.hpp"
#include "layers/conv.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/loss.hpp"
#include "layers/pooling.hpp"
#include "layers/sequential.hpp"
#include "layers/shared_conv.hpp"
#include "nn_common.hpp"

namespace tapenet::python {

namespace {

using nn::Size2d;

template <class T>
using Layer = py::class_<T, Module, std::shared_ptr<T>>;

/// A ConnectionTable, or an array-like [out, in] converted to one.
ConnectionTable table_from_py(py::handle obj) {
  if (py::isinstance<ConnectionTable>(obj)) return obj.cast<ConnectionTable>();
  return ConnectionTable::from_tensor(as_tensor(obj));
}
std::optional<ConnectionTable> optional_table(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return table_from_py(obj);
}

std::optional<Size2d> optional_size2d(py::handle obj, const char* what) {
  if (obj.is_none()) return std::nullopt;
  return size2d_from_py(obj, what);
}

void no_inplace(bool inplace, const char* what) {
  if (inplace) throw ValueError(std::string(what) + ": inplace=True is not supported");
}

Generator& generator_or_default(py::handle gen) {
  if (gen.is_none()) return default_generator();
  return gen.cast<Generator&>();
}

template <class F>
Tensor no_gil(const Tensor& x, F&& f) {
  return maybe_without_gil(x.numel(), std::forward<F>(f));
}

/// forward(x) releasing the GIL on large inputs (a Python child re-acquires it).
template <class T, class C>
void def_forward(C& cls) {
  cls.def(
      "forward", [](T& m, const Tensor& x) { return no_gil(x, [&] { return m.forward(x); }); }, py::arg("input"));
}

void bind_layers(py::module_& nn) {
  // ---- Linear ----
  Layer<nn::Linear> linear(nn, "Linear", "y = x W^T + b (torch.nn.Linear).");
  linear
      .def(py::init([](int64_t in, int64_t out, bool bias) {
             return std::make_shared<nn::Linear>(nn::LinearOptions(in, out).bias(bias));
           }),
           py::arg("in_features"), py::arg("out_features"), py::arg("bias") = true)
      .def_property_readonly("in_features", [](const nn::Linear& m) { return m.options.in_features(); })
      .def_property_readonly("out_features", [](const nn::Linear& m) { return m.options.out_features(); })
      .def_property_readonly("weight", [](const nn::Linear& m) { return m.weight; })
      .def_property_readonly("bias", [](const nn::Linear& m) { return tensor_or_none(m.bias); });
  def_forward<nn::Linear>(linear);

  // ---- Conv2d ----
  Layer<nn::Conv2d> conv(nn, "Conv2d", "Dense, grouped and depthwise 2-D convolution (torch.nn.Conv2d).");
  conv.def(py::init([](int64_t in, int64_t out, py::handle kernel, py::handle stride, py::handle padding,
                       py::handle dilation, int64_t groups, bool bias) {
             return std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, size2d_from_py(kernel, "kernel_size"))
                                                     .stride(size2d_from_py(stride, "stride"))
                                                     .padding(size2d_from_py(padding, "padding"))
                                                     .dilation(size2d_from_py(dilation, "dilation"))
                                                     .groups(groups)
                                                     .bias(bias));
           }),
           py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"), py::arg("stride") = 1,
           py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1, py::arg("bias") = true)
      .def_property_readonly("in_channels", [](const nn::Conv2d& m) { return m.options.in_channels(); })
      .def_property_readonly("out_channels", [](const nn::Conv2d& m) { return m.options.out_channels(); })
      .def_property_readonly("kernel_size", [](const nn::Conv2d& m) { return size2d_to_py(m.options.kernel_size()); })
      .def_property_readonly("stride", [](const nn::Conv2d& m) { return size2d_to_py(m.options.stride()); })
      .def_property_readonly("padding", [](const nn::Conv2d& m) { return size2d_to_py(m.options.padding()); })
      .def_property_readonly("dilation", [](const nn::Conv2d& m) { return size2d_to_py(m.options.dilation()); })
      .def_property_readonly("groups", [](const nn::Conv2d& m) { return m.options.groups(); })
      .def_property_readonly("weight", [](const nn::Conv2d& m) { return m.weight; })
      .def_property_readonly("bias", [](const nn::Conv2d& m) { return tensor_or_none(m.bias); });
  def_forward<nn::Conv2d>(conv);

  // ---- ConnectionConv2d ----
  Layer<nn::ConnectionConv2d> cconv(nn, "ConnectionConv2d",
                                    "A convolution whose output maps read only the inputs a ConnectionTable gives.");
  cconv
      .def(py::init([](int64_t in, int64_t out, py::handle kernel, py::handle table, py::handle stride,
                       py::handle padding, bool bias) {
             ConnectionTable t = table.is_none() ? ConnectionTable::full(in, out) : table_from_py(table);
             return std::make_shared<nn::ConnectionConv2d>(
                 nn::ConnectionConv2dOptions(in, out, size2d_from_py(kernel, "kernel_size"), t)
                     .stride(size2d_from_py(stride, "stride"))
                     .padding(size2d_from_py(padding, "padding"))
                     .bias(bias));
           }),
           py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"), py::arg("table") = py::none(),
           py::arg("stride") = 1, py::arg("padding") = 0, py::arg("bias") = true)
      .def_property_readonly("in_channels", [](const nn::ConnectionConv2d& m) { return m.options.in_channels(); })
      .def_property_readonly("out_channels", [](const nn::ConnectionConv2d& m) { return m.options.out_channels(); })
      .def_property_readonly("kernel_size",
                             [](const nn::ConnectionConv2d& m) { return size2d_to_py(m.options.kernel_size()); })
      .def_property_readonly("stride", [](const nn::ConnectionConv2d& m) { return size2d_to_py(m.options.stride()); })
      .def_property_readonly("padding", [](const nn::ConnectionConv2d& m) { return size2d_to_py(m.options.padding()); })
      .def_property_readonly("table", &nn::ConnectionConv2d::table, "The ConnectionTable (from the `table` buffer).")
      .def_property_readonly("weight", [](const nn::ConnectionConv2d& m) { return m.weight; })
      .def_property_readonly("bias", [](const nn::ConnectionConv2d& m) { return tensor_or_none(m.bias); });
  def_forward<nn::ConnectionConv2d>(cconv);

  // ---- SharedConv2d ----
  Layer<nn::SharedConv2d> sconv(nn, "SharedConv2d",
                                "One k x k kernel per output map shared across its input channels (sum, mean or max).");
  sconv
      .def(py::init([](int64_t in, int64_t out, py::handle kernel, const std::string& reduce, py::handle stride,
                       py::handle padding, bool bias, py::handle table) {
             return std::make_shared<nn::SharedConv2d>(
                 nn::SharedConv2dOptions(in, out, size2d_from_py(kernel, "kernel_size"))
                     .reduce(parse_channel_reduce(reduce))
                     .stride(size2d_from_py(stride, "stride"))
                     .padding(size2d_from_py(padding, "padding"))
                     .bias(bias)
                     .table(optional_table(table)));
           }),
           py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"), py::arg("reduce") = "sum",
           py::arg("stride") = 1, py::arg("padding") = 0, py::arg("bias") = true, py::arg("table") = py::none())
      .def_property_readonly("in_channels", [](const nn::SharedConv2d& m) { return m.options.in_channels(); })
      .def_property_readonly("out_channels", [](const nn::SharedConv2d& m) { return m.options.out_channels(); })
      .def_property_readonly("kernel_size",
                             [](const nn::SharedConv2d& m) { return size2d_to_py(m.options.kernel_size()); })
      .def_property_readonly("stride", [](const nn::SharedConv2d& m) { return size2d_to_py(m.options.stride()); })
      .def_property_readonly("padding", [](const nn::SharedConv2d& m) { return size2d_to_py(m.options.padding()); })
      .def_property_readonly("reduce",
                             [](const nn::SharedConv2d& m) { return std::string(channel_reduce_name(m.options.reduce())); })
      .def_property_readonly("table",
                             [](const nn::SharedConv2d& m) -> py::object {
                               if (!m.table_buffer.defined()) return py::none();
                               return py::cast(ConnectionTable::from_tensor(m.table_buffer));
                             })
      .def_property_readonly("weight", [](const nn::SharedConv2d& m) { return m.weight; })
      .def_property_readonly("bias", [](const nn::SharedConv2d& m) { return tensor_or_none(m.bias); });
  def_forward<nn::SharedConv2d>(sconv);

  // ---- pooling ----
  Layer<nn::MaxPool2d> maxpool(nn, "MaxPool2d", "Max over k x k windows (torch.nn.MaxPool2d; stride defaults to kernel_size).");
  maxpool
      .def(py::init([](py::handle kernel, py::handle stride, py::handle padding, bool ceil_mode) {
             return std::make_shared<nn::MaxPool2d>(size2d_from_py(kernel, "kernel_size"), optional_size2d(stride, "stride"),
                                                    size2d_from_py(padding, "padding"), ceil_mode);
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0, py::arg("ceil_mode") = false)
      .def_property_readonly("kernel_size", [](const nn::MaxPool2d& m) { return size2d_to_py(m.kernel_size); })
      .def_property_readonly("stride", [](const nn::MaxPool2d& m) { return size2d_to_py(m.stride); })
      .def_property_readonly("padding", [](const nn::MaxPool2d& m) { return size2d_to_py(m.padding); })
      .def_readonly("ceil_mode", &nn::MaxPool2d::ceil_mode);
  def_forward<nn::MaxPool2d>(maxpool);

  Layer<nn::AvgPool2d> avgpool(nn, "AvgPool2d", "Mean over k x k windows (torch.nn.AvgPool2d).");
  avgpool
      .def(py::init([](py::handle kernel, py::handle stride, py::handle padding, bool ceil_mode, bool count_include_pad) {
             return std::make_shared<nn::AvgPool2d>(size2d_from_py(kernel, "kernel_size"), optional_size2d(stride, "stride"),
                                                    size2d_from_py(padding, "padding"), ceil_mode, count_include_pad);
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0, py::arg("ceil_mode") = false,
           py::arg("count_include_pad") = true)
      .def_property_readonly("kernel_size", [](const nn::AvgPool2d& m) { return size2d_to_py(m.kernel_size); })
      .def_property_readonly("stride", [](const nn::AvgPool2d& m) { return size2d_to_py(m.stride); })
      .def_property_readonly("padding", [](const nn::AvgPool2d& m) { return size2d_to_py(m.padding); })
      .def_readonly("ceil_mode", &nn::AvgPool2d::ceil_mode)
      .def_readonly("count_include_pad", &nn::AvgPool2d::count_include_pad);
  def_forward<nn::AvgPool2d>(avgpool);

  Layer<nn::AdaptiveAvgPool2d> adaptive(nn, "AdaptiveAvgPool2d", "Average pooling to a fixed output size.");
  adaptive
      .def(py::init([](py::handle size) {
             return std::make_shared<nn::AdaptiveAvgPool2d>(size2d_from_py(size, "output_size"));
           }),
           py::arg("output_size"))
      .def_property_readonly("output_size", [](const nn::AdaptiveAvgPool2d& m) { return size2d_to_py(m.output_size); });
  def_forward<nn::AdaptiveAvgPool2d>(adaptive);

  Layer<nn::ChannelMaxPool> cmp(nn, "ChannelMaxPool", "Max over consecutive groups of k channels (maxout).");
  cmp.def(py::init<int64_t>(), py::arg("k")).def_readonly("k", &nn::ChannelMaxPool::k);
  def_forward<nn::ChannelMaxPool>(cmp);

  // ---- BatchNorm ----
  Layer<nn::BatchNorm> bn(nn, "_BatchNorm", "Common base of BatchNorm1d and BatchNorm2d.");
  bn.def_property_readonly("num_features", [](const nn::BatchNorm& m) { return m.options.num_features(); })
      .def_property_readonly("eps", [](const nn::BatchNorm& m) { return m.options.eps(); })
      .def_property_readonly("momentum", [](const nn::BatchNorm& m) { return m.options.momentum(); })
      .def_property_readonly("affine", [](const nn::BatchNorm& m) { return m.options.affine(); })
      .def_property_readonly("track_running_stats", [](const nn::BatchNorm& m) { return m.options.track_running_stats(); })
      .def_property_readonly("weight", [](const nn::BatchNorm& m) { return tensor_or_none(m.weight); })
      .def_property_readonly("bias", [](const nn::BatchNorm& m) { return tensor_or_none(m.bias); })
      .def_property_readonly("running_mean", [](const nn::BatchNorm& m) { return tensor_or_none(m.running_mean); })
      .def_property_readonly("running_var", [](const nn::BatchNorm& m) { return tensor_or_none(m.running_var); })
      .def_property_readonly("num_batches_tracked",
                             [](const nn::BatchNorm& m) { return tensor_or_none(m.num_batches_tracked); });
  def_forward<nn::BatchNorm>(bn);
  auto bn_options = [](int64_t n, double eps, py::handle momentum, bool affine, bool track) {
    if (momentum.is_none()) throw ValueError("BatchNorm: momentum=None (cumulative average) is not supported");
    return nn::BatchNormOptions(n).eps(eps).momentum(momentum.cast<double>()).affine(affine).track_running_stats(track);
  };
  py::class_<nn::BatchNorm1d, nn::BatchNorm, std::shared_ptr<nn::BatchNorm1d>>(
      nn, "BatchNorm1d", "Batch normalization of [N, C] or [N, C, L] (torch.nn.BatchNorm1d).")
      .def(py::init([bn_options](int64_t n, double eps, py::handle momentum, bool affine, bool track) {
             return std::make_shared<nn::BatchNorm1d>(bn_options(n, eps, momentum, affine, track));
           }),
           py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1, py::arg("affine") = true,
           py::arg("track_running_stats") = true);
  py::class_<nn::BatchNorm2d, nn::BatchNorm, std::shared_ptr<nn::BatchNorm2d>>(
      nn, "BatchNorm2d", "Batch normalization of [N, C, H, W] (torch.nn.BatchNorm2d).")
      .def(py::init([bn_options](int64_t n, double eps, py::handle momentum, bool affine, bool track) {
             return std::make_shared<nn::BatchNorm2d>(bn_options(n, eps, momentum, affine, track));
           }),
           py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1, py::arg("affine") = true,
           py::arg("track_running_stats") = true);

  // ---- Dropout, Flatten, Identity ----
  Layer<nn::Dropout> dropout(nn, "Dropout", "Inverted dropout in training, identity in eval (torch.nn.Dropout).");
  dropout
      .def(py::init([](double p, bool inplace, std::optional<uint64_t> seed) {
             no_inplace(inplace, "Dropout");
             return seed ? std::make_shared<nn::Dropout>(p, *seed) : std::make_shared<nn::Dropout>(p);
           }),
           py::arg("p") = 0.5, py::arg("inplace") = false, py::arg("seed") = py::none(),
           "``seed``: draw masks from an own Generator(seed) instead of the default generator.")
      .def_readonly("p", &nn::Dropout::p)
      .def("forward", &nn::Dropout::forward, py::arg("input"));  // keeps the GIL: draws from a generator

  Layer<nn::Flatten> flatten(nn, "Flatten", "Flattens dims start_dim..end_dim into one.");
  flatten.def(py::init<int64_t, int64_t>(), py::arg("start_dim") = 1, py::arg("end_dim") = -1)
      .def_readonly("start_dim", &nn::Flatten::start_dim)
      .def_readonly("end_dim", &nn::Flatten::end_dim);
  def_forward<nn::Flatten>(flatten);

  Layer<nn::Identity> identity(nn, "Identity", "Returns its input (arguments are ignored, as in PyTorch).");
  identity.def(py::init([](const py::args&, const py::kwargs&) { return std::make_shared<nn::Identity>(); }));
  def_forward<nn::Identity>(identity);

  // ---- activations ----
  Layer<nn::ReLU> relu(nn, "ReLU", "max(x, 0).");
  relu.def(py::init([](bool inplace) {
             no_inplace(inplace, "ReLU");
             return std::make_shared<nn::ReLU>();
           }),
           py::arg("inplace") = false);
  def_forward<nn::ReLU>(relu);
  Layer<nn::LeakyReLU> lrelu(nn, "LeakyReLU", "x for x > 0, negative_slope * x otherwise.");
  lrelu
      .def(py::init([](double slope, bool inplace) {
             no_inplace(inplace, "LeakyReLU");
             return std::make_shared<nn::LeakyReLU>(slope);
           }),
           py::arg("negative_slope") = 0.01, py::arg("inplace") = false)
      .def_readonly("negative_slope", &nn::LeakyReLU::negative_slope);
  def_forward<nn::LeakyReLU>(lrelu);
  Layer<nn::Tanh> tanh_(nn, "Tanh", "Hyperbolic tangent.");
  tanh_.def(py::init<>());
  def_forward<nn::Tanh>(tanh_);
  Layer<nn::Sigmoid> sigmoid(nn, "Sigmoid", "1 / (1 + exp(-x)).");
  sigmoid.def(py::init<>());
  def_forward<nn::Sigmoid>(sigmoid);
  Layer<nn::ScaledTanh> stanh(nn, "ScaledTanh", "LeNet-5's squashing function amplitude * tanh(slope * x).");
  stanh.def(py::init<double, double>(), py::arg("amplitude") = 1.7159, py::arg("slope") = 2.0 / 3.0)
      .def_readonly("amplitude", &nn::ScaledTanh::amplitude)
      .def_readonly("slope", &nn::ScaledTanh::slope);
  def_forward<nn::ScaledTanh>(stanh);
  Layer<nn::Softmax> softmax(nn, "Softmax", "Softmax along ``dim``.");
  softmax.def(py::init<int64_t>(), py::arg("dim")).def_readonly("dim", &nn::Softmax::dim);
  def_forward<nn::Softmax>(softmax);
  Layer<nn::LogSoftmax> log_softmax(nn, "LogSoftmax", "Log-softmax along ``dim``.");
  log_softmax.def(py::init<int64_t>(), py::arg("dim")).def_readonly("dim", &nn::LogSoftmax::dim);
  def_forward<nn::LogSoftmax>(log_softmax);

  // ---- Sequential ----
  Layer<nn::Sequential> seq(nn, "Sequential", R"doc(
Children applied in order: ``Sequential(m0, m1, ...)`` (named "0", "1", ...) or
``Sequential(OrderedDict([("conv1", m0), ...]))``. Python subclasses of Module may be children.)doc");
  seq.def(py::init([](const py::args& args) {
       auto s = std::make_shared<nn::Sequential>();
       if (args.size() == 1 && py::hasattr(args[0], "items") && !py::isinstance<Module>(args[0])) {
         for (py::handle item : args[0].attr("items")()) {
           auto kv = py::reinterpret_borrow<py::tuple>(item);
           s->push_back(kv[0].cast<std::string>(), module_for_cpp_owner(kv[1], true));
         }
       } else {
         for (py::handle m : args) s->push_back(module_for_cpp_owner(m, true));
       }
       return s;
     }))
      .def(
          "append",
          [](nn::Sequential& s, py::handle m) -> nn::Sequential& {
            s.push_back(module_for_cpp_owner(m, true));
            return s;
          },
          py::arg("module"), py::return_value_policy::reference_internal, "Appends a child named after its position.")
      .def("__len__", &nn::Sequential::size)
      .def(
          "__getitem__", [](const nn::Sequential& s, int64_t i) { return s[i]; }, py::arg("index"));
  def_forward<nn::Sequential>(seq);

  // ---- losses: loss(input, target) ----
  auto class_target = [](py::handle t) { return as_tensor(t); };
  Layer<nn::CrossEntropyLoss> ce(nn, "CrossEntropyLoss", "Cross-entropy of logits [N, C] and class labels [N].");
  ce.def(py::init([](const std::string& reduction, double label_smoothing, int64_t ignore_index) {
           return std::make_shared<nn::CrossEntropyLoss>(reduction_from_str(reduction), label_smoothing, ignore_index);
         }),
         py::arg("reduction") = "mean", py::arg("label_smoothing") = 0.0, py::arg("ignore_index") = -100)
      .def_readonly("label_smoothing", &nn::CrossEntropyLoss::label_smoothing)
      .def_readonly("ignore_index", &nn::CrossEntropyLoss::ignore_index);
  auto nll = Layer<nn::NLLLoss>(nn, "NLLLoss", "Negative log-likelihood of log-probabilities [N, C] and labels [N].");
  nll.def(py::init([](const std::string& reduction, int64_t ignore_index) {
            return std::make_shared<nn::NLLLoss>(reduction_from_str(reduction), ignore_index);
          }),
          py::arg("reduction") = "mean", py::arg("ignore_index") = -100)
      .def_readonly("ignore_index", &nn::NLLLoss::ignore_index);
  auto mse = Layer<nn::MSELoss>(nn, "MSELoss", "Squared error between tensors of one shape.");
  mse.def(py::init([](const std::string& reduction) { return std::make_shared<nn::MSELoss>(reduction_from_str(reduction)); }),
          py::arg("reduction") = "mean");
  auto def_loss = [](auto& cls, auto target_of) {
    using T = typename std::remove_reference_t<decltype(cls)>::type;
    auto call = [target_of](const T& m, const Tensor& input, py::handle target) {
      Tensor t = target_of(input, target);
      return no_gil(input, [&] { return m(input, t); });
    };
    cls.def("__call__", call, py::arg("input"), py::arg("target"))
        .def("forward", call, py::arg("input"), py::arg("target"))
        .def_property_readonly("reduction", [](const T& m) {
          return std::string(m.reduction == Reduction::mean ? "mean" : m.reduction == Reduction::sum ? "sum" : "none");
        });
  };
  def_loss(ce, [class_target](const Tensor&, py::handle t) { return class_target(t); });
  def_loss(nll, [class_target](const Tensor&, py::handle t) { return class_target(t); });
  def_loss(mse, [](const Tensor& input, py::handle t) { return as_tensor(t, input.dtype()); });
}

void bind_layer_functions(py::module_& f) {
  f.def(
      "linear",
      [](const Tensor& input, const Tensor& weight, py::handle bias) {
        Tensor b = optional_tensor(bias, input);
        return no_gil(input, [&] { return linear(input, weight, b); });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), "input W^T + b: [*, in] -> [*, out].");
  f.def(
      "conv2d",
      [](const Tensor& input, const Tensor& weight, py::handle bias, py::handle stride, py::handle padding,
         py::handle dilation, int64_t groups) {
        Tensor b = optional_tensor(bias, input);
        auto s = size2d_from_py(stride, "stride").array(), p = size2d_from_py(padding, "padding").array(),
             d = size2d_from_py(dilation, "dilation").array();
        return no_gil(input, [&] { return conv2d(input, weight, b, s, p, d, groups); });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
      py::arg("dilation") = 1, py::arg("groups") = 1,
      "2-D cross-correlation (torch.nn.functional.conv2d): weight [out, in/groups, kh, kw].");
  f.def(
      "connection_conv2d",
      [](const Tensor& input, const Tensor& weight, py::handle bias, py::handle table, py::handle stride,
         py::handle padding, py::handle dilation) {
        Tensor b = optional_tensor(bias, input);
        ConnectionTable t = table.is_none() ? ConnectionTable::full(input.dim() == 4 ? input.size(1) : 1,
                                                                    weight.dim() == 4 ? weight.size(0) : 1)
                                            : table_from_py(table);
        auto s = size2d_from_py(stride, "stride").array(), p = size2d_from_py(padding, "padding").array(),
             d = size2d_from_py(dilation, "dilation").array();
        return no_gil(input, [&] { return connection_conv2d(input, weight, b, t, s, p, d); });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("table") = py::none(),
      py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
      R"doc(conv2d with weight [out, in, kh, kw] masked by ``table`` [out, in] (a ConnectionTable or a
bool/int array; None: full). Unconnected weight slices are never read and get zero gradient.)doc");
  f.def(
      "shared_conv2d",
      [](const Tensor& input, const Tensor& weight, py::handle bias, const std::string& reduce, py::handle table,
         py::handle stride, py::handle padding) {
        Tensor b = optional_tensor(bias, input);
        const ChannelReduce r = parse_channel_reduce(reduce);
        auto t = optional_table(table);
        auto s = size2d_from_py(stride, "stride").array(), p = size2d_from_py(padding, "padding").array();
        return no_gil(input, [&] { return shared_conv2d(input, weight, b, r, t, s, p); });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("reduce") = "sum",
      py::arg("table") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
      R"doc(One kernel weight[o] [1, kh, kw] per output map applied to each input channel it reads
(all, or the ``table`` row) and combined by ``reduce``: 'sum', 'mean' or 'max'; plus bias.)doc");
  f.def(
      "max_pool2d",
      [](const Tensor& input, py::handle kernel, py::handle stride, py::handle padding, py::handle dilation,
         bool ceil_mode) {
        if (size2d_from_py(dilation, "dilation") != Size2d(1)) throw ValueError("max_pool2d: dilation must be 1");
        auto k = size2d_from_py(kernel, "kernel_size").array(), p = size2d_from_py(padding, "padding").array();
        std::array<int64_t, 2> s{0, 0};
        if (!stride.is_none() && !(py::isinstance<py::sequence>(stride) && py::len(stride) == 0))
          s = size2d_from_py(stride, "stride").array();
        return no_gil(input, [&] { return max_pool2d(input, k, s, p, ceil_mode); });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
      py::arg("dilation") = 1, py::arg("ceil_mode") = false,
      "Max over windows (stride None: kernel_size); dilation must be 1.");
  f.def(
      "avg_pool2d",
      [](const Tensor& input, py::handle kernel, py::handle stride, py::handle padding, bool ceil_mode,
         bool count_include_pad) {
        auto k = size2d_from_py(kernel, "kernel_size").array(), p = size2d_from_py(padding, "padding").array();
        std::array<int64_t, 2> s{0, 0};
        if (!stride.is_none() && !(py::isinstance<py::sequence>(stride) && py::len(stride) == 0))
          s = size2d_from_py(stride, "stride").array();
        return no_gil(input, [&] { return avg_pool2d(input, k, s, p, ceil_mode, count_include_pad); });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
      py::arg("ceil_mode") = false, py::arg("count_include_pad") = true, "Mean over windows (stride None: kernel_size).");
  f.def(
      "adaptive_avg_pool2d",
      [](const Tensor& input, py::handle size) {
        auto o = size2d_from_py(size, "output_size").array();
        return no_gil(input, [&] { return adaptive_avg_pool2d(input, o); });
      },
      py::arg("input"), py::arg("output_size"), "Average pooling to ``output_size`` with PyTorch's adaptive bins.");
  f.def(
      "channel_max_pool", [](const Tensor& input, int64_t k) { return no_gil(input, [&] { return channel_max_pool(input, k); }); },
      py::arg("input"), py::arg("k"), "Max over consecutive groups of k channels: [N, C, *] -> [N, C/k, *].");
  f.def(
      "batch_norm",
      [](const Tensor& input, py::handle running_mean, py::handle running_var, py::handle weight, py::handle bias,
         bool training, double momentum, double eps) {
        Tensor rm = optional_tensor(running_mean, input), rv = optional_tensor(running_var, input),
               w = optional_tensor(weight, input), b = optional_tensor(bias, input);
        return no_gil(input, [&] { return batch_norm(input, rm, rv, w, b, training, momentum, eps); });
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight") = py::none(),
      py::arg("bias") = py::none(), py::arg("training") = false, py::arg("momentum") = 0.1, py::arg("eps") = 1e-5,
      R"doc(Batch normalization (torch.nn.functional.batch_norm). In training the running statistics
(Tensors, or None) are updated in place; in eval they are used.)doc");
  f.def(
      "dropout",
      [](const Tensor& input, double p, bool training, bool inplace, py::handle generator) {
        no_inplace(inplace, "dropout");
        Generator& g = generator_or_default(generator);
        return dropout(input, p, training, g);  // keeps the GIL: draws from a shared generator
      },
      py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true, py::arg("inplace") = false,
      py::arg("generator") = py::none(),
      "Inverted dropout: zeroes elements with probability p, scales the rest by 1/(1-p); identity unless training.");
}

}  // namespace

void bind_nn(py::module_& m) {
  py::module_ nn = m.def_submodule("_nn", "The C++ side of tapenet.nn.");
  bind_modules(nn);
  bind_layers(nn);
  py::module_ f = m.attr("_functional");
  bind_layer_functions(f);
}

}  // namespace tapenet::python
