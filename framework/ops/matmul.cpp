#include "framework/ops/matmul.hpp"

#include "framework/kernels/matmul.hpp"
#include "framework/ops/op_helpers.hpp"
#include "framework/ops/shape_ops.hpp"

namespace tapenet {
using namespace ops_detail;

namespace {

// "matmul of [7, 5] and [4, 3]": the start of every shape error.
std::string describe(const Tensor& a, const Tensor& b) {
  std::string s("matmul of ");
  return s.append(shape_str(a.shape())).append(" and ").append(shape_str(b.shape()));
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) throw ValueError(describe(a, b) + ": both operands need at least 1 dimension");
  check_same_dtype(a, b, "matmul");
  const int64_t ka = a.size(-1), kb = b.dim() == 1 ? b.size(0) : b.size(-2);
  if (ka != kb)
    throw ValueError(describe(a, b) + ": inner dimensions differ (" + std::to_string(ka) + " vs " + std::to_string(kb) +
                     ")");
  if (a.dim() == 1 || b.dim() == 1) {
    // A 1-d a is the row [1, k], a 1-d b the column [k, 1]; the added dimensions go again.
    Tensor y = matmul(a.dim() == 1 ? unsqueeze(a, 0) : a, b.dim() == 1 ? unsqueeze(b, 1) : b);
    if (a.dim() == 1) y = squeeze(y, -2);
    return b.dim() == 1 ? squeeze(y, -1) : y;
  }
  const Shape batch =
      broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2), Shape(b.shape().begin(), b.shape().end() - 2),
                       (describe(a, b) + " (batch dimensions)").c_str());
  Shape out = batch;
  out.push_back(a.size(-2));
  out.push_back(b.size(-1));
  const kernels::MatmulPlan plan = kernels::plan_matmul(a.shape(), b.shape(), batch);
  Tensor y = Tensor::empty(out, a.dtype());
  kernels::matmul(a, b, y, plan);
  if (needs_grad(a, b))
    record("matmul", y, [a, b, plan](const Tensor& gy, const Tensor&) {
      // ga += gy @ b^T; gb += a^T @ gy (matrices shared by broadcast batches sum their products)
      if (a.requires_grad()) kernels::matmul_grad_a(gy, b, grad_buffer(a), plan);
      if (b.requires_grad()) kernels::matmul_grad_b(a, gy, grad_buffer(b), plan);
    });
  return y;
}

}  // namespace tapenet
