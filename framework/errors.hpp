#pragma once
/// \file Exception types thrown by tapenet. Each derives from the standard exception that pybind11
/// maps to the matching Python exception, so C++ and Python report the same message.
#include <stdexcept>
#include <string>

namespace tapenet {

/// Bad shapes, dtypes or argument values (Python: ValueError).
struct ValueError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// An index or dimension out of range (Python: IndexError).
struct IndexError : std::out_of_range {
  using std::out_of_range::out_of_range;
};

/// A file that cannot be read, written or parsed (Python: OSError).
struct IOError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Misuse of autodiff: backward twice, backward from a non-scalar, a freed graph (Python: RuntimeError).
struct AutogradError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tapenet
