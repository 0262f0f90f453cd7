#include "framework/factories.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tapenet {
namespace {

template <class Draw>
Tensor fill_with(const Shape& shape, DType dtype, Draw draw) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch_all(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw());
  });
  return t;
}

template <class T>
Tensor copy_vector(const std::vector<T>& values, const Shape& shape) {
  if (static_cast<int64_t>(values.size()) != shape_numel(shape))
    throw ValueError("from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                     shape_str(shape));
  Tensor t = Tensor::empty(shape, dtype_of<T>());
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  return t;
}

}  // namespace

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch_all(dtype, [&]<class T>() { std::fill_n(t.data<T>(), t.numel(), static_cast<T>(value)); });
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return Tensor::empty(shape, dtype).zero_(); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || (end - start) * step < 0)
    throw ValueError("arange: step " + std::to_string(step) + " cannot reach " + std::to_string(end) + " from " +
                     std::to_string(start));
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  int64_t i = 0;
  return fill_with({n}, dtype, [&] { return start + step * static_cast<double>(i++); });
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape) { return copy_vector(values, shape); }
Tensor from_vector(const std::vector<double>& values, const Shape& shape) { return copy_vector(values, shape); }
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) { return copy_vector(values, shape); }

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  // Capped at the largest float below 1 so that rounding to float32 never yields 1.
  return fill_with(shape, dtype, [&] { return std::min(gen.uniform(), 0x1.fffffep-1); });
}
Tensor rand(const Shape& shape, DType dtype) { return rand(shape, default_generator(), dtype); }
Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  return fill_with(shape, dtype, [&] { return gen.normal(); });
}
Tensor randn(const Shape& shape, DType dtype) { return randn(shape, default_generator(), dtype); }
Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype) {
  if (!(low <= high)) throw ValueError("uniform: expected low <= high, got " + std::to_string(low) + " > " + std::to_string(high));
  return fill_with(shape, dtype, [&] { return low + (high - low) * gen.uniform(); });
}
Tensor uniform(const Shape& shape, double low, double high, DType dtype) {
  return uniform(shape, low, high, default_generator(), dtype);
}

}  // namespace tapenet
