#include "datasets/transforms.hpp"

#include <algorithm>
#include <sstream>

#include "framework/errors.hpp"

namespace tapenet::datasets {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string num_str(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

std::string list_str(const std::vector<float>& v) {
  std::ostringstream s;
  s << '[';
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  s << ']';
  return s.str();
}

// Copies `in` [C, H, W] into the middle of `out` [C, H + 2p, W + 2p], zeros around it.
void pad_into(const float* in, const ImageShape& s, int64_t p, float* out) {
  const int64_t oh = s.height + 2 * p, ow = s.width + 2 * p;
  std::fill(out, out + s.channels * oh * ow, 0.0f);
  for (int64_t c = 0; c < s.channels; ++c)
    for (int64_t y = 0; y < s.height; ++y)
      std::copy_n(in + (c * s.height + y) * s.width, s.width, out + (c * oh + y + p) * ow + p);
}

}  // namespace

uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t position) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(epoch)) ^ static_cast<uint64_t>(position));
}

// ---- Normalize ----
Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
  if (mean_.empty() || mean_.size() != std_.size())
    throw ValueError("Normalize: mean and std must be non-empty lists of equal length, got " +
                     std::to_string(mean_.size()) + " and " + std::to_string(std_.size()) + " values");
  for (float s : std_)
    if (!(s > 0)) throw ValueError("Normalize: std must be positive, got " + list_str(std_));
}

ImageShape Normalize::output_shape(const ImageShape& in) const {
  if (mean_.size() != 1 && static_cast<int64_t>(mean_.size()) != in.channels)
    throw ValueError("Normalize: " + std::to_string(mean_.size()) + " mean/std values for images of shape " +
                     to_string(in));
  return in;
}

void Normalize::apply(const float* in, const ImageShape& s, float* out, Generator&) const {
  const int64_t plane = s.height * s.width;
  for (int64_t c = 0; c < s.channels; ++c) {
    const std::size_t k = mean_.size() == 1 ? 0 : static_cast<std::size_t>(c);
    const float m = mean_[k], inv = 1.0f / std_[k];
    for (int64_t p = 0; p < plane; ++p) out[c * plane + p] = (in[c * plane + p] - m) * inv;
  }
}

std::string Normalize::repr() const { return "Normalize(mean=" + list_str(mean_) + ", std=" + list_str(std_) + ")"; }

// ---- Pad ----
Pad::Pad(int64_t padding) : padding_(padding) {
  if (padding < 0) throw ValueError("Pad: padding must be >= 0, got " + std::to_string(padding));
}

ImageShape Pad::output_shape(const ImageShape& in) const {
  return {in.channels, in.height + 2 * padding_, in.width + 2 * padding_};
}

void Pad::apply(const float* in, const ImageShape& s, float* out, Generator&) const { pad_into(in, s, padding_, out); }

std::string Pad::repr() const { return "Pad(padding=" + std::to_string(padding_) + ")"; }

// ---- RandomCrop ----
RandomCrop::RandomCrop(int64_t size, int64_t padding) : size_(size), padding_(padding) {
  if (size <= 0) throw ValueError("RandomCrop: size must be positive, got " + std::to_string(size));
  if (padding < 0) throw ValueError("RandomCrop: padding must be >= 0, got " + std::to_string(padding));
}

ImageShape RandomCrop::output_shape(const ImageShape& in) const {
  if (in.height + 2 * padding_ < size_ || in.width + 2 * padding_ < size_)
    throw ValueError("RandomCrop: a " + std::to_string(size_) + "x" + std::to_string(size_) +
                     " crop does not fit images of shape " + to_string(in) + " padded by " + std::to_string(padding_));
  return {in.channels, size_, size_};
}

void RandomCrop::apply(const float* in, const ImageShape& s, float* out, Generator& gen) const {
  const int64_t ph = s.height + 2 * padding_, pw = s.width + 2 * padding_;
  const auto top = static_cast<int64_t>(gen.below(static_cast<uint64_t>(ph - size_ + 1)));
  const auto left = static_cast<int64_t>(gen.below(static_cast<uint64_t>(pw - size_ + 1)));
  // Output pixel (y, x) is padded pixel (top + y, left + x), i.e. input (top + y - p, left + x - p).
  for (int64_t c = 0; c < s.channels; ++c)
    for (int64_t y = 0; y < size_; ++y) {
      const int64_t iy = top + y - padding_;
      float* row = out + (c * size_ + y) * size_;
      for (int64_t x = 0; x < size_; ++x) {
        const int64_t ix = left + x - padding_;
        const bool inside = iy >= 0 && iy < s.height && ix >= 0 && ix < s.width;
        row[x] = inside ? in[(c * s.height + iy) * s.width + ix] : 0.0f;
      }
    }
}

std::string RandomCrop::repr() const {
  return "RandomCrop(size=" + std::to_string(size_) + ", padding=" + std::to_string(padding_) + ")";
}

// ---- RandomHorizontalFlip ----
RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) {
  if (!(p >= 0 && p <= 1)) throw ValueError("RandomHorizontalFlip: p must be in [0, 1], got " + num_str(p));
}

void RandomHorizontalFlip::apply(const float* in, const ImageShape& s, float* out, Generator& gen) const {
  const bool flip = gen.uniform() < p_;
  const int64_t rows = s.channels * s.height;
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = in + r * s.width;
    float* dst = out + r * s.width;
    if (flip)
      std::reverse_copy(src, src + s.width, dst);
    else
      std::copy_n(src, s.width, dst);
  }
}

std::string RandomHorizontalFlip::repr() const { return "RandomHorizontalFlip(p=" + num_str(p_) + ")"; }

// ---- Compose ----
Compose::Compose(std::vector<TransformPtr> transforms) : transforms_(std::move(transforms)) {
  for (const TransformPtr& t : transforms_)
    if (!t) throw ValueError("Compose: null transform");
}

ImageShape Compose::output_shape(const ImageShape& in) const {
  ImageShape s = in;
  for (const TransformPtr& t : transforms_) s = t->output_shape(s);
  return s;
}

void Compose::apply(const float* in, const ImageShape& in_shape, float* out, Generator& gen) const {
  std::vector<float> a(in, in + in_shape.numel()), b;
  ImageShape s = in_shape;
  for (const TransformPtr& t : transforms_) {
    const ImageShape next = t->output_shape(s);
    b.resize(static_cast<std::size_t>(next.numel()));
    t->apply(a.data(), s, b.data(), gen);
    a.swap(b);
    s = next;
  }
  std::copy(a.begin(), a.end(), out);
}

std::string Compose::repr() const {
  std::string r = "Compose(";
  for (std::size_t i = 0; i < transforms_.size(); ++i) {
    if (i) r += ", ";
    r += transforms_[i]->repr();
  }
  r += ")";
  return r;
}

}  // namespace tapenet::datasets
