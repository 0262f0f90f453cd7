#include "layers/batchnorm.hpp"

#include <algorithm>
#include <sstream>

#include "framework/factories.hpp"
#include "framework/ops/normalization.hpp"
#include "framework/tape.hpp"

namespace tapenet::nn {

BatchNorm::BatchNorm(const char* type_name, const BatchNormOptions& o, std::vector<int64_t> allowed_ranks)
    : Module(type_name), options(o), allowed_ranks_(std::move(allowed_ranks)) {
  const int64_t c = o.num_features();
  if (c <= 0) throw ValueError(std::string(type_name) + ": num_features must be positive, got " + std::to_string(c));
  if (o.affine()) {
    weight = register_parameter("weight", ones({c}));
    bias = register_parameter("bias", zeros({c}));
  }
  if (o.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}));
    running_var = register_buffer("running_var", ones({c}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
  }
}

Tensor BatchNorm::forward(const Tensor& input) {
  if (std::find(allowed_ranks_.begin(), allowed_ranks_.end(), input.dim()) == allowed_ranks_.end() ||
      input.shape()[1] != options.num_features())
    throw ValueError(type_name() + ": expected input of " + std::to_string(allowed_ranks_.front()) +
                     (allowed_ranks_.size() > 1 ? " or " + std::to_string(allowed_ranks_.back()) : std::string()) +
                     " dimensions with " + std::to_string(options.num_features()) + " channels, got " +
                     shape_str(input.shape()));
  // Without running statistics, batch statistics are used in eval mode too (as in PyTorch).
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  if (is_training() && options.track_running_stats()) ++num_batches_tracked.data<int64_t>()[0];
  return batch_norm(input, running_mean, running_var, weight, bias, use_batch_stats, options.momentum(),
                    options.eps());
}

std::string BatchNorm::extra_repr() const {
  std::ostringstream os;
  os << options.num_features() << ", eps=" << options.eps() << ", momentum=" << options.momentum()
     << ", affine=" << (options.affine() ? "True" : "False")
     << ", track_running_stats=" << (options.track_running_stats() ? "True" : "False");
  return os.str();
}

}  // namespace tapenet::nn
