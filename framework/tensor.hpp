#pragma once
/// \file Tensor: a handle to a contiguous, row-major buffer with a shape, a dtype and autodiff state.
///
/// Copying a Tensor shares its data (like a PyTorch tensor object); `clone()` deep-copies.
/// Differentiable operations on tensors live in framework/ops/; factories in framework/factories.hpp.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>

#include "framework/dtype.hpp"
#include "framework/shape.hpp"
#include "framework/storage.hpp"

namespace tapenet {

class Tape;
struct TensorImpl;

class Tensor {
 public:
  /// An undefined tensor (like Python's None): `defined()` is false, every accessor throws.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  /// Allocates an uninitialised contiguous tensor. Throws ValueError on a negative extent.
  static Tensor empty(const Shape& shape, DType dtype = DType::f32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  /// Extent of dimension `d` (negative counts from the end). Throws IndexError.
  int64_t size(int64_t d) const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t numel() const;
  DType dtype() const;

  /// Typed pointer to the first element; throws ValueError if T does not match the dtype.
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  /// Element at a multi-index (one index per dimension; negative counts from the end).
  /// Throws IndexError when out of range, ValueError on a dtype mismatch. Not recorded on the tape.
  template <class T>
  T& at(std::initializer_list<int64_t> index);
  template <class T>
  const T& at(std::initializer_list<int64_t> index) const;
  /// The value of a one-element tensor converted to double; throws ValueError otherwise.
  double item() const;

  /// Deep copy of the data, detached from the tape (requires_grad false).
  Tensor clone() const;
  /// A handle to the same data that is not recorded and does not require grad.
  Tensor detach() const;
  /// Fills the data with zeros in place (not recorded). Returns *this.
  Tensor& zero_();
  /// Copies the data of `src` (same shape and dtype) into this tensor in place (not recorded).
  Tensor& copy_(const Tensor& src);

  // ---- autodiff ----
  bool requires_grad() const;
  /// Marks a leaf tensor as a parameter whose gradient accumulates into grad(). Returns *this.
  /// Throws AutogradError when clearing the flag on a non-leaf tensor.
  Tensor& requires_grad_(bool value = true);
  /// True unless the tensor was produced by a recorded op.
  bool is_leaf() const;
  /// The accumulated gradient of a leaf tensor, or an undefined tensor.
  Tensor grad() const;
  /// Replaces the gradient (undefined clears it). Throws ValueError on a shape/dtype mismatch.
  void set_grad(const Tensor& g);
  /// Drops the gradient (PyTorch's `set_to_none=True`).
  void zero_grad();
  /// Reverse-mode pass over the tape that recorded this tensor, accumulating into leaf gradients.
  /// `gradient` defaults to 1 for a one-element tensor; it is required otherwise.
  /// Without `retain_graph` the traversed part of the graph is freed, and a second backward
  /// through it throws AutogradError. Runs with grad recording disabled.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;

  /// PyTorch-style text: `tensor([[1., 2.], [3., 4.]], requires_grad=True)`.
  std::string to_string() const;

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  const TensorImpl& checked() const;
  TensorImpl& checked();
  std::shared_ptr<TensorImpl> impl_;
};

/// The state behind a Tensor handle. `storage` may be shared with other impls (reshape, detach).
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  int64_t numel = 0;
  DType dtype = DType::f32;
  bool requires_grad = false;
  /// Leaf: the accumulated `.grad`. Non-leaf: the gradient gathered during one backward pass.
  Tensor grad;
  /// The tape that recorded this tensor and its node's sequence number (0: a leaf).
  std::weak_ptr<Tape> tape;
  uint64_t tape_seq = 0;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

/// |a - b| <= atol + rtol * |b| elementwise, same shape required (NaN never equal).
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

// ---- inline definitions ----

inline const TensorImpl& Tensor::checked() const {
  if (!impl_) throw ValueError("use of an undefined tensor");
  return *impl_;
}
inline TensorImpl& Tensor::checked() {
  if (!impl_) throw ValueError("use of an undefined tensor");
  return *impl_;
}
inline const Shape& Tensor::shape() const { return checked().shape; }
inline int64_t Tensor::numel() const { return checked().numel; }
inline DType Tensor::dtype() const { return checked().dtype; }
inline void* Tensor::raw_data() { return checked().storage->data(); }
inline const void* Tensor::raw_data() const { return checked().storage->data(); }

template <class T>
T* Tensor::data() {
  if (checked().dtype != dtype_of<T>())
    throw ValueError(std::string("data<") + dtype_name(dtype_of<T>()) + ">() on a " + dtype_name(impl_->dtype) +
                     " tensor");
  return static_cast<T*>(impl_->storage->data());
}
template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}

/// Flat offset of a multi-index; throws IndexError. Shared by both `at` overloads.
int64_t flat_index(const Shape& shape, std::initializer_list<int64_t> index);

template <class T>
T& Tensor::at(std::initializer_list<int64_t> index) {
  return data<T>()[flat_index(shape(), index)];
}
template <class T>
const T& Tensor::at(std::initializer_list<int64_t> index) const {
  return data<T>()[flat_index(shape(), index)];
}

}  // namespace tapenet
