#include "framework/gradcheck.hpp"

#include <cmath>
#include <sstream>

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/reduction.hpp"
#include "framework/tape.hpp"

namespace tapenet {
namespace {

double projected(const Tensor& y, const Tensor& v) {
  const double* py = y.data<double>();
  const double* pv = v.data<double>();
  double s = 0;
  for (int64_t i = 0; i < y.numel(); ++i) s += py[i] * pv[i];
  return s;
}

Tensor gradient_or_zeros(const Tensor& x) { return x.grad().defined() ? x.grad().clone() : zeros_like(x); }

void compare(const Tensor& analytical, const Tensor& numerical, std::size_t input, const GradcheckOptions& o,
             const char* what) {
  const double* a = analytical.data<double>();
  const double* n = numerical.data<double>();
  for (int64_t j = 0; j < analytical.numel(); ++j) {
    if (std::abs(a[j] - n[j]) <= o.atol + o.rtol * std::abs(n[j])) continue;
    std::ostringstream msg;
    msg.precision(10);
    msg << "gradcheck: " << what << " for input " << input << " of shape " << shape_str(analytical.shape())
        << " at flat index " << j << ": analytical " << a[j] << " vs expected " << n[j] << " (atol " << o.atol
        << ", rtol " << o.rtol << ")";
    throw GradcheckError(msg.str());
  }
}

}  // namespace

bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
               const GradcheckOptions& o) {
  std::vector<Tensor> xs;
  for (const Tensor& in : inputs) {
    if (in.dtype() != DType::f64 && in.requires_grad())
      throw ValueError("gradcheck: inputs that require grad must be float64, got " +
                       std::string(dtype_name(in.dtype())) + " " + shape_str(in.shape()));
    Tensor c = in.clone();
    if (in.requires_grad()) c.requires_grad_();
    xs.push_back(c);
  }
  TapeScope scope;
  Tensor y = f(xs);
  if (y.dtype() != DType::f64) throw ValueError("gradcheck: the function must return a float64 tensor");
  if (!y.requires_grad()) throw GradcheckError("gradcheck: the output does not require grad (nothing recorded)");
  Generator gen(o.seed);
  const Tensor v = randn(y.shape(), gen, DType::f64);
  sum(y * v).backward();
  std::vector<Tensor> analytical;
  for (const Tensor& x : xs) analytical.push_back(gradient_or_zeros(x));

  {
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (!xs[i].requires_grad()) continue;
      Tensor numerical = zeros_like(xs[i]);
      double* p = xs[i].data<double>();
      for (int64_t j = 0; j < xs[i].numel(); ++j) {
        const double orig = p[j];
        p[j] = orig + o.eps;
        const double plus = projected(f(xs), v);
        p[j] = orig - o.eps;
        const double minus = projected(f(xs), v);
        p[j] = orig;
        numerical.data<double>()[j] = (plus - minus) / (2 * o.eps);
      }
      compare(analytical[i], numerical, i, o, "gradient mismatch");
    }
  }
  if (o.check_accumulation) {
    sum(f(xs) * v).backward();
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (!xs[i].requires_grad()) continue;
      compare(gradient_or_zeros(xs[i]), analytical[i] * 2.0, i, o, "backward does not accumulate");
    }
  }
  return true;
}

}  // namespace tapenet
