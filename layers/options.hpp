#pragma once
/// \file Option types shared by the layers.
#include "framework/options.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace tapenet::nn {

/// A 2-D extent given as one number for both dimensions or as {h, w}, like PyTorch's
/// `kernel_size=5` / `kernel_size=(5, 3)`.
struct Size2d {
  Size2d(int64_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose, as in PyTorch
  Size2d(int64_t h, int64_t w) : h(h), w(w) {}
  std::array<int64_t, 2> array() const { return {h, w}; }
  /// PyTorch's repr of a pair: "(5, 3)".
  std::string str() const {
    std::string s("(");
    return s.append(std::to_string(h)).append(", ").append(std::to_string(w)).append(")");
  }
  bool operator==(const Size2d&) const = default;
  int64_t h, w;
};

}  // namespace tapenet::nn
