#pragma once
/// \file Element types. f32 trains, f64 makes gradient checks tight, i64 holds class labels and indices.
#include <cstddef>
#include <cstdint>
#include <string>

#include "framework/errors.hpp"

namespace tapenet {

enum class DType : uint8_t { f32, f64, i64 };

/// Bytes per element.
constexpr std::size_t dtype_size(DType d) { return d == DType::f32 ? 4 : 8; }

/// PyTorch's spelling: "float32", "float64", "int64".
const char* dtype_name(DType d);

constexpr bool is_floating(DType d) { return d != DType::i64; }

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::f32; }
template <>
constexpr DType dtype_of<double>() { return DType::f64; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::i64; }

/// Calls `fn.template operator()<T>()` with T = float or double for a floating dtype;
/// throws ValueError naming `op` for i64.
template <class Fn>
decltype(auto) dispatch_floating(DType d, const char* op, Fn&& fn) {
  switch (d) {
    case DType::f32: return fn.template operator()<float>();
    case DType::f64: return fn.template operator()<double>();
    default: break;
  }
  throw ValueError(std::string(op) + ": expected a floating tensor (float32 or float64), got " + dtype_name(d));
}

/// Like dispatch_floating, but also accepts i64.
template <class Fn>
decltype(auto) dispatch_all(DType d, Fn&& fn) {
  switch (d) {
    case DType::f32: return fn.template operator()<float>();
    case DType::f64: return fn.template operator()<double>();
    case DType::i64: break;
  }
  return fn.template operator()<int64_t>();
}

}  // namespace tapenet
