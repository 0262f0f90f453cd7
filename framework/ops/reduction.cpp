#include "framework/ops/reduction.hpp"

#include "framework/factories.hpp"
#include "framework/ops/arithmetic.hpp"
#include "framework/ops/op_helpers.hpp"

namespace tapenet {
using namespace ops_detail;

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim, const char* op) {
  const auto nd = static_cast<int64_t>(shape.size());
  std::vector<bool> reduce(shape.size(), dims.empty());
  for (int64_t d : dims) {
    const int64_t k = normalize_dim(d, nd, op);
    if (nd == 0) continue;
    if (reduce[k]) throw ValueError(std::string(op) + ": dim " + std::to_string(k) + " appears multiple times");
    reduce[k] = true;
  }
  Shape out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (!reduce[i])
      out.push_back(shape[i]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

namespace {

// A handle on `t`'s data viewed with another shape of the same size (no copy, not recorded).
Tensor view_as_shape(const Tensor& t, const Shape& shape) {
  Tensor v = t.detach();
  v.impl()->shape = shape;
  return v;
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Shape kept = reduced_shape(x.shape(), dims, true, "sum");
  Tensor y = Tensor::empty(kept, x.dtype());
  kernels::sum_to(x, y, false);
  y.impl()->shape = reduced_shape(x.shape(), dims, keepdim, "sum");
  if (needs_grad(x))
    record("sum", y, [x, kept](const Tensor& gy, const Tensor&) {
      // gx += broadcast(gy)
      Tensor& gx = grad_buffer(x);
      const Tensor gk = view_as_shape(gy, kept);
      dispatch_floating(x.dtype(), "sum backward", [&]<class T>() {
        kernels::broadcast_map2(gx.data<T>(), gx.shape(), gk.data<T>(), kept, gx.data<T>(), gx.shape(),
                                [](T a, T b) { return a + b; });
      });
    });
  return y;
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Shape kept = reduced_shape(x.shape(), dims, true, "mean");
  const double count = static_cast<double>(x.numel()) / static_cast<double>(shape_numel(kept));
  return sum(x, dims, keepdim) * (1.0 / count);
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor max(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Shape kept = reduced_shape(x.shape(), dims, true, "max");
  Tensor y = Tensor::empty(kept, x.dtype());
  Tensor offsets = Tensor::empty(kept, DType::i64);
  kernels::max_to(x, y, offsets);
  y.impl()->shape = reduced_shape(x.shape(), dims, keepdim, "max");
  if (needs_grad(x))
    record("max", y, [x, offsets](const Tensor& gy, const Tensor&) {
      // gx[argmax] += gy
      kernels::scatter_add_offsets(gy, offsets, grad_buffer(x));
    });
  return y;
}

Tensor max(const Tensor& x) { return max(x, {}, false); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t d = normalize_dim(dim, x.dim(), "argmax");
  const Shape kept = reduced_shape(x.shape(), {d}, true, "argmax");
  Tensor values = Tensor::empty(kept, x.dtype());
  Tensor idx = Tensor::empty(kept, DType::i64);
  kernels::max_to(x, values, idx);
  // Flat offsets in x -> positions along dim.
  const int64_t stride = x.dim() == 0 ? 1 : contiguous_strides(x.shape())[d];
  const int64_t extent = x.dim() == 0 ? 1 : x.shape()[d];
  int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) p[i] = (p[i] / stride) % extent;
  idx.impl()->shape = reduced_shape(x.shape(), {d}, keepdim, "argmax");
  return idx;
}

}  // namespace tapenet
