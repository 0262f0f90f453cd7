#pragma once
/// \file Chained option setters, as in PyTorch's C++ API (`Conv2dOptions(1, 6, 5).padding(2)`).

#include <utility>  // std::move in the setter

/// Declares option `name` of type `Type` in options struct `Self`: a getter `name()`, a chained
/// setter `name(value)` returning `*this`, and the stored default.
#define TAPENET_OPTION(Self, Type, name, default_value) \
 public:                                                \
  Self& name(Type value) {                              \
    name##_ = std::move(value);                         \
    return *this;                                       \
  }                                                     \
  const Type& name() const { return name##_; }          \
                                                        \
 private:                                               \
  Type name##_ = default_value;
