#pragma once
/// \file ConnectionConv2d: a convolution whose output maps read only the input maps a connection
/// table gives (LeNet-5's C3).
#include "framework/module.hpp"
#include "framework/connection_table.hpp"
#include "layers/options.hpp"

namespace tapenet::nn {

struct ConnectionConv2dOptions {
  ConnectionConv2dOptions(int64_t in_channels, int64_t out_channels, Size2d kernel_size, ConnectionTable table)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), table_(std::move(table)) {}
  TAPENET_OPTION(ConnectionConv2dOptions, int64_t, in_channels, 0)
  TAPENET_OPTION(ConnectionConv2dOptions, int64_t, out_channels, 0)
  TAPENET_OPTION(ConnectionConv2dOptions, Size2d, kernel_size, 1)
  TAPENET_OPTION(ConnectionConv2dOptions, ConnectionTable, table, ConnectionTable::full(1, 1))
  TAPENET_OPTION(ConnectionConv2dOptions, Size2d, stride, 1)
  TAPENET_OPTION(ConnectionConv2dOptions, Size2d, padding, 0)
  TAPENET_OPTION(ConnectionConv2dOptions, bool, bias, true)
};

/// weight [out, in, kh, kw] (PyTorch's dense layout) whose unconnected [o, i] slices are exactly zero
/// and stay zero (their gradient is masked to zero, so no optimizer moves them); buffer `table`
/// (int64 0/1 [out, in]). Output map o is initialised with its true fan-in |S_o|·kh·kw:
/// U(-1/sqrt(fan_in_o), 1/sqrt(fan_in_o)) for its weights and bias. num_parameters() counts connected
/// weights + bias (LeNet C3 with the lenet5 table: 60·25 + 16 = 1516). Equals Conv2d with the masked
/// weight. Throws ValueError when the table is not [out, in].
class ConnectionConv2d : public Module {
 public:
  explicit ConnectionConv2d(const ConnectionConv2dOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  int64_t num_parameters() const override;
  int64_t macs_per_sample(const Shape& input, const Shape& output) const override;
  /// The table as loaded: rebuilt from the `table` buffer, so load_state_dict can change it.
  ConnectionTable table() const;

  const ConnectionConv2dOptions options;
  Tensor weight, bias;
  Tensor table_buffer;  ///< the `table` buffer
};

}  // namespace tapenet::nn
