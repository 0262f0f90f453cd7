#include "examples/common/normalization.hpp"

#include <memory>
#include <vector>

namespace tapenet::examples {

datasets::TransformPtr normalization(const std::string& dataset) {
  if (dataset == "mnist") return std::make_shared<datasets::Normalize>(std::vector{0.1307f}, std::vector{0.3081f});
  if (dataset == "cifar10")
    return std::make_shared<datasets::Normalize>(std::vector{0.4914f, 0.4822f, 0.4465f},
                                                 std::vector{0.2470f, 0.2435f, 0.2616f});
  return std::make_shared<datasets::Normalize>(std::vector{0.2860f}, std::vector{0.3530f});
}

}  // namespace tapenet::examples
