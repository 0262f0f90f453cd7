#include "layers/activation.hpp"

#include <sstream>

#include "framework/ops/activation.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/softmax.hpp"

namespace tapenet::nn {
namespace {

// Shortest round-trip text of a double, as Python's repr prints it.
std::string number(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  std::string s = os.str();
  for (int p = 1; p <= 17; ++p) {
    std::ostringstream shorter;
    shorter.precision(p);
    shorter << v;
    if (std::stod(shorter.str()) == v) return shorter.str();
  }
  return s;
}

}  // namespace

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + number(negative_slope); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor ScaledTanh::forward(const Tensor& x) { return tanh(x * slope) * amplitude; }
std::string ScaledTanh::extra_repr() const { return "amplitude=" + number(amplitude) + ", slope=" + number(slope); }
Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim); }
std::string Softmax::extra_repr() const { return "dim=" + std::to_string(dim); }
Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, dim); }
std::string LogSoftmax::extra_repr() const { return "dim=" + std::to_string(dim); }

}  // namespace tapenet::nn
