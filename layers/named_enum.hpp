#pragma once
/// \file Names of the small enums of the model builders (variants, activations, poolings): one
/// lookup for both directions so command lines, configs and Python share the spelling.
#include <algorithm>
#include <string>
#include <utility>

#include "framework/errors.hpp"

namespace tapenet::models {

/// The name of `value` in `table` (an array of {value, name} pairs). Throws ValueError naming
/// `what` when the value is missing.
template <class Table, class Enum>
std::string enum_name(const Table& table, Enum value, const char* what) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  throw ValueError(std::string("unknown ").append(what).append(" ").append(std::to_string(static_cast<int>(value))));
}

/// The value named `name` in `table` ('-' may stand for '_'). Throws ValueError listing the names.
template <class Table>
auto parse_enum(const Table& table, const std::string& name, const char* what) {
  std::string canonical = name;
  std::replace(canonical.begin(), canonical.end(), '-', '_');
  std::string valid;
  for (const auto& [v, n] : table) {
    if (canonical == n) return v;
    valid.append(valid.empty() ? "" : ", ").append(n);
  }
  throw ValueError(std::string("unknown ").append(what).append(" '").append(name).append("'; valid: ").append(valid));
}

}  // namespace tapenet::models
