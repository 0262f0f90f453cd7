#include "framework/random.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

#include "framework/errors.hpp"

namespace tapenet {

double Generator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // 1 - u lies in (0, 1], so the log is finite.
  const double u1 = 1.0 - uniform(), u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1)), theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = r * std::sin(theta);
  has_spare_normal_ = true;
  return r * std::cos(theta);
}

uint64_t Generator::below(uint64_t n) {
  if (n == 0) throw ValueError("Generator::below: n must be positive");
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = engine_();
  while (x >= limit);
  return x % n;
}

std::string Generator::state() const {
  std::ostringstream os;
  os << seed_ << ' ' << has_spare_normal_ << ' ' << std::hexfloat << spare_normal_ << ' ' << engine_;
  return os.str();
}

void Generator::set_state(const std::string& s) {
  std::istringstream is(s);
  Generator g;
  std::string spare;
  is >> g.seed_ >> g.has_spare_normal_ >> spare >> g.engine_;
  if (!is) throw ValueError("Generator::set_state: malformed generator state");
  g.spare_normal_ = std::strtod(spare.c_str(), nullptr);
  *this = g;
}

Generator& default_generator() {
  static Generator g;
  return g;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace tapenet
