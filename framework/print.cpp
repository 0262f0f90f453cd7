// PyTorch-style tensor printing: `tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])`.
#include <cmath>
#include <cstdio>
#include <ostream>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {
namespace {

constexpr int64_t kSummarizeThreshold = 1000;  // PyTorch's print threshold
constexpr int64_t kEdgeItems = 3;

// How every element of one tensor is formatted, chosen once from all values (as PyTorch does).
struct Format {
  bool integer_dtype = false;
  bool int_mode = false;  // floats that are all whole numbers print as "3."
  bool sci_mode = false;
  int width = 0;

  std::string operator()(double v) const {
    char buf[64];
    if (integer_dtype)
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else if (!std::isfinite(v))
      std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    else if (sci_mode)
      std::snprintf(buf, sizeof buf, "%.4e", v);
    else if (int_mode)
      std::snprintf(buf, sizeof buf, "%.0f.", v);
    else
      std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
  }
};

Format choose_format(const std::vector<double>& values, bool integer_dtype) {
  Format f;
  f.integer_dtype = integer_dtype;
  if (!integer_dtype) {
    double max_abs = 0, min_abs = INFINITY;
    bool all_int = true;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      const double a = std::abs(v);
      if (a != 0) min_abs = std::min(min_abs, a);
      max_abs = std::max(max_abs, a);
      all_int = all_int && v == std::floor(v);
    }
    f.int_mode = all_int;
    if (std::isfinite(min_abs))
      f.sci_mode = max_abs / min_abs > 1000 || max_abs > 1e8 || (!all_int && min_abs < 1e-4);
  }
  for (double v : values) f.width = std::max<int>(f.width, static_cast<int>(f(v).size()));
  return f;
}

// Indices along one dimension that are printed (all, or the edges around "...").
std::vector<int64_t> shown(int64_t n, bool summarize) {
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i)
    if (!summarize || n <= 2 * kEdgeItems || i < kEdgeItems || i >= n - kEdgeItems) idx.push_back(i);
  return idx;
}

struct Printer {
  const Shape& shape;
  const std::vector<int64_t> strides;
  bool summarize;
  std::vector<double> values;  // every element, flat
  Format fmt;

  void body(std::string& out, std::size_t d, int64_t offset, int indent) const {
    if (d == shape.size()) {
      const std::string s = fmt(values[offset]);
      out += std::string(fmt.width - s.size(), ' ') + s;
      return;
    }
    out += '[';
    const std::vector<int64_t> idx = shown(shape[d], summarize);
    std::string sep = ",";
    if (d + 1 == shape.size()) {
      sep += ' ';
    } else {
      sep.append(shape.size() - d - 1, '\n');
      sep.append(indent + 1, ' ');
    }
    for (std::size_t k = 0; k < idx.size(); ++k) {
      if (k) out += sep;
      if (k && idx[k] != idx[k - 1] + 1) out.append("...").append(sep);
      body(out, d + 1, offset + idx[k] * strides[d], indent + 1);
    }
    out += ']';
  }
};

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "None";
  std::vector<double> values(static_cast<std::size_t>(numel()));
  dispatch_all(dtype(), [&]<class T>() {
    const T* p = data<T>();
    for (int64_t i = 0; i < numel(); ++i) values[i] = static_cast<double>(p[i]);
  });
  const bool summarize = numel() > kSummarizeThreshold;
  std::string out = "tensor(";
  if (numel() == 0) {
    out += "[]";
    if (dim() != 1) {
      out += ", size=(";
      for (std::size_t i = 0; i < shape().size(); ++i) out += (i ? ", " : "") + std::to_string(shape()[i]);
      out += shape().size() == 1 ? ",)" : ")";
    }
  } else {
    Printer p{shape(), contiguous_strides(shape()), summarize, {}, choose_format(values, dtype() == DType::i64)};
    p.values = std::move(values);
    p.body(out, 0, 0, 7);
  }
  if (dtype() == DType::f64) out += ", dtype=torch.float64";
  if (requires_grad()) out += ", requires_grad=True";
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.to_string(); }

}  // namespace tapenet
