#include "framework/tensor.hpp"

#include <cmath>
#include <cstring>

#include "framework/kernels/elementwise.hpp"
#include "framework/tape.hpp"

namespace tapenet {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i64: return "int64";
  }
  return "?";
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->numel = shape_numel(shape);
  impl->shape = shape;
  impl->dtype = dtype;
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(impl->numel) * dtype_size(dtype));
  return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }

int64_t flat_index(const Shape& shape, std::initializer_list<int64_t> index) {
  if (index.size() != shape.size())
    throw IndexError("at: " + std::to_string(index.size()) + " indices for a tensor of shape " + shape_str(shape));
  int64_t flat = 0;
  std::size_t d = 0;
  for (int64_t i : index) {
    const int64_t n = shape[d];
    if (i < -n || i >= n)
      throw IndexError("at: index " + std::to_string(i) + " is out of bounds for dimension " + std::to_string(d) +
                       " with size " + std::to_string(n));
    flat = flat * n + (i < 0 ? i + n : i);
    ++d;
  }
  return flat;
}

double Tensor::item() const {
  if (numel() != 1)
    throw ValueError("item: a tensor with " + std::to_string(numel()) + " elements cannot be converted to a scalar");
  return dispatch_all(dtype(), [&]<class T>() { return static_cast<double>(*data<T>()); });
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype());
  std::memcpy(out.raw_data(), raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  return out;
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  const TensorImpl& src = checked();
  impl->storage = src.storage;
  impl->shape = src.shape;
  impl->numel = src.numel;
  impl->dtype = src.dtype;
  return Tensor(std::move(impl));
}

Tensor& Tensor::zero_() {
  std::memset(raw_data(), 0, static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  if (src.shape() != shape() || src.dtype() != dtype())
    throw ValueError("copy_: source " + shape_str(src.shape()) + " " + dtype_name(src.dtype()) +
                     " does not match destination " + shape_str(shape()) + " " + dtype_name(dtype()));
  std::memmove(raw_data(), src.raw_data(), static_cast<std::size_t>(numel()) * dtype_size(dtype()));
  return *this;
}

bool Tensor::requires_grad() const { return checked().requires_grad; }

Tensor& Tensor::requires_grad_(bool value) {
  TensorImpl& impl = checked();
  if (!is_leaf() && !value)
    throw AutogradError(
        "requires_grad_: cannot clear requires_grad of a non-leaf tensor; use detach() to get a tensor without "
        "gradient");
  if (value && !is_floating(impl.dtype))
    throw ValueError("requires_grad_: only floating tensors can require gradients, got " +
                     std::string(dtype_name(impl.dtype)));
  impl.requires_grad = value;
  return *this;
}

bool Tensor::is_leaf() const { return checked().tape_seq == 0; }

Tensor Tensor::grad() const { return is_leaf() ? checked().grad : Tensor(); }

void Tensor::set_grad(const Tensor& g) {
  if (g.defined() && (g.shape() != shape() || g.dtype() != dtype()))
    throw ValueError("set_grad: gradient " + shape_str(g.shape()) + " " + dtype_name(g.dtype()) +
                     " does not match tensor " + shape_str(shape()) + " " + dtype_name(dtype()));
  checked().grad = g;
}

void Tensor::zero_grad() { checked().grad = Tensor(); }

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  const TensorImpl& impl = checked();
  if (!impl.requires_grad)
    throw AutogradError("backward: tensor does not require grad and has no recorded op");
  Tensor g = gradient;
  if (!g.defined()) {
    if (impl.numel != 1)
      throw AutogradError("backward: grad can be implicitly created only for one-element outputs, got shape " +
                          shape_str(impl.shape) + "; pass a gradient of that shape");
    g = empty(impl.shape, impl.dtype);
    dispatch_floating(impl.dtype, "backward", [&]<class T>() { *g.data<T>() = T(1); });
  } else if (g.shape() != impl.shape || g.dtype() != impl.dtype) {
    throw ValueError("backward: gradient " + shape_str(g.shape()) + " " + dtype_name(g.dtype()) +
                     " does not match output " + shape_str(impl.shape) + " " + dtype_name(impl.dtype));
  }
  if (is_leaf()) {
    kernels::accumulate(grad_buffer(*this), g);
    return;
  }
  const std::shared_ptr<Tape> tape = impl.tape.lock();
  if (!tape) throw AutogradError("backward: the tape that recorded this tensor no longer exists");
  tape->backward(*this, g, retain_graph);
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = dispatch_all(a.dtype(), [&]<class T>() { return static_cast<double>(a.data<T>()[i]); });
    const double y = dispatch_all(b.dtype(), [&]<class T>() { return static_cast<double>(b.data<T>()[i]); });
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y)) && !(x == y)) return false;
  }
  return true;
}

}  // namespace tapenet
