#pragma once
/// \file gradcheck: compares the tape's gradients with float64 central differences.
#include <cstdint>
#include <functional>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// PyTorch's defaults (torch.autograd.gradcheck).
struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  /// Seed of the random projection v: the scalar checked is sum(f(inputs) * v).
  uint64_t seed = 0;
  /// Also run backward a second time without zeroing and expect the gradients to double.
  bool check_accumulation = true;
};

/// Thrown by gradcheck with the first mismatching input and element, both gradients, and the op.
struct GradcheckError : AutogradError {
  using AutogradError::AutogradError;
};

/// Checks d/d(inputs) of sum(f(inputs) * v) for a random v against central differences
/// (|analytical - numerical| <= atol + rtol * |numerical| for every element), for every input that
/// requires grad. Inputs must be float64 (ValueError otherwise); they are cloned, never modified.
/// Records on a private tape. Returns true or throws GradcheckError.
bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
               const GradcheckOptions& options = {});

}  // namespace tapenet
