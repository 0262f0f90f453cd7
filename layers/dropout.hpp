#pragma once
/// \file Dropout (PyTorch's nn.Dropout: inverted dropout, identity in eval mode).
#include <memory>

#include "framework/module.hpp"
#include "framework/random.hpp"

namespace tapenet::nn {

/// Zeroes each element with probability p in training and scales survivors by 1/(1-p). Draws from
/// the default generator, or from its own Generator(seed) when given one (seeded runs).
/// Throws ValueError for p outside [0, 1].
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Dropout(double p, uint64_t seed);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  const double p;

 private:
  std::unique_ptr<Generator> generator_;  ///< null: use default_generator()
};

}  // namespace tapenet::nn
