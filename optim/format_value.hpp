#pragma once
/// \file Internal: how optimizers and schedulers print a hyper-parameter in their error messages.
#include <sstream>
#include <string>

namespace tapenet::optim::detail {

/// `v` as an ostream prints it ("0.1", "1e-08"), the same spelling in every error message.
inline std::string format_value(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace tapenet::optim::detail
