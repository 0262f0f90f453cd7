#pragma once
/// \file BatchNorm1d / BatchNorm2d (PyTorch's semantics and state-dict keys).
#include "framework/module.hpp"
#include "layers/options.hpp"

namespace tapenet::nn {

struct BatchNormOptions {
  explicit BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  TAPENET_OPTION(BatchNormOptions, int64_t, num_features, 0)
  TAPENET_OPTION(BatchNormOptions, double, eps, 1e-5)
  TAPENET_OPTION(BatchNormOptions, double, momentum, 0.1)
  TAPENET_OPTION(BatchNormOptions, bool, affine, true)
  TAPENET_OPTION(BatchNormOptions, bool, track_running_stats, true)
};

/// Normalises each channel with batch statistics in training (updating running_mean/running_var)
/// and with the running statistics in eval. Parameters weight (ones) and bias (zeros) when affine;
/// buffers running_mean (zeros), running_var (ones), num_batches_tracked (int64 0-d) when tracking.
/// BatchNorm1d takes [N, C] or [N, C, L]; BatchNorm2d takes [N, C, H, W] (ValueError otherwise).
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  const BatchNormOptions options;
  Tensor weight, bias;                                        ///< undefined unless affine
  Tensor running_mean, running_var, num_batches_tracked;     ///< undefined unless tracking

 protected:
  BatchNorm(const char* type_name, const BatchNormOptions& options, std::vector<int64_t> allowed_ranks);

 private:
  std::vector<int64_t> allowed_ranks_;
};

struct BatchNorm1d : BatchNorm {
  explicit BatchNorm1d(const BatchNormOptions& options) : BatchNorm("BatchNorm1d", options, {2, 3}) {}
  explicit BatchNorm1d(int64_t num_features) : BatchNorm1d(BatchNormOptions(num_features)) {}
};

struct BatchNorm2d : BatchNorm {
  explicit BatchNorm2d(const BatchNormOptions& options) : BatchNorm("BatchNorm2d", options, {4}) {}
  explicit BatchNorm2d(int64_t num_features) : BatchNorm2d(BatchNormOptions(num_features)) {}
};

}  // namespace tapenet::nn
