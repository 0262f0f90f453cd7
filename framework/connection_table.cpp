#include "framework/connection_table.hpp"

#include <algorithm>
#include <numeric>

#include "framework/random.hpp"

namespace tapenet {
namespace {

[[noreturn]] void invalid(const std::string& what) { throw ValueError("ConnectionTable: " + what); }

void check_sizes(int64_t in, int64_t out) {
  if (in <= 0 || out <= 0)
    invalid("in and out must be positive, got in=" + std::to_string(in) + ", out=" + std::to_string(out));
}

}  // namespace

ConnectionTable::ConnectionTable(int64_t in, int64_t out, std::vector<bool> bits)
    : in_(in), out_(out), bits_(std::move(bits)) {
  for (int64_t o = 0; o < out_; ++o)
    if (inputs_of(o).empty()) invalid("output map " + std::to_string(o) + " reads no input map");
}

ConnectionTable::ConnectionTable(const std::vector<std::vector<bool>>& rows) {
  if (rows.empty() || rows[0].empty()) invalid("the matrix is empty");
  std::vector<bool> bits;
  for (const auto& row : rows) {
    if (row.size() != rows[0].size())
      invalid("ragged matrix: rows of " + std::to_string(rows[0].size()) + " and " + std::to_string(row.size()) +
              " entries");
    bits.insert(bits.end(), row.begin(), row.end());
  }
  *this = ConnectionTable(static_cast<int64_t>(rows[0].size()), static_cast<int64_t>(rows.size()), std::move(bits));
}

ConnectionTable ConnectionTable::full(int64_t in, int64_t out) {
  check_sizes(in, out);
  return ConnectionTable(in, out, std::vector<bool>(in * out, true));
}

ConnectionTable ConnectionTable::lenet5() {
  const std::vector<std::vector<int64_t>> reads = {
      {0, 1, 2},    {1, 2, 3},    {2, 3, 4},    {3, 4, 5},    {4, 5, 0},    {5, 0, 1},
      {0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 0}, {4, 5, 0, 1}, {5, 0, 1, 2},
      {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5}, {0, 1, 2, 3, 4, 5}};
  std::vector<bool> bits(16 * 6, false);
  for (int64_t o = 0; o < 16; ++o)
    for (int64_t i : reads[o]) bits[o * 6 + i] = true;
  return ConnectionTable(6, 16, std::move(bits));
}

namespace {

// Sets fan_in[o] distinct inputs of each output o: a partial Fisher-Yates shuffle per row, whose
// first fan_in entries are a uniform random subset.
std::vector<bool> draw_rows(int64_t in, const std::vector<int64_t>& fan_in, Generator& gen) {
  const auto out = static_cast<int64_t>(fan_in.size());
  std::vector<bool> bits(in * out, false);
  std::vector<int64_t> pool(in);
  for (int64_t o = 0; o < out; ++o) {
    std::iota(pool.begin(), pool.end(), 0);
    for (int64_t k = 0; k < fan_in[o]; ++k) {
      std::swap(pool[k], pool[k + static_cast<int64_t>(gen.below(in - k))]);
      bits[o * in + pool[k]] = true;
    }
  }
  return bits;
}

}  // namespace

ConnectionTable ConnectionTable::random(int64_t in, int64_t out, int64_t fan_in, uint64_t seed) {
  check_sizes(in, out);
  if (fan_in < 1 || fan_in > in)
    invalid("fan_in must be in [1, " + std::to_string(in) + "], got " + std::to_string(fan_in));
  Generator gen(seed);
  return ConnectionTable(in, out, draw_rows(in, std::vector<int64_t>(out, fan_in), gen));
}

ConnectionTable ConnectionTable::random_connections(int64_t in, int64_t out, int64_t connections, uint64_t seed) {
  check_sizes(in, out);
  if (connections < out || connections > in * out)
    invalid("connections must be in [out, in*out] = [" + std::to_string(out) + ", " + std::to_string(in * out) +
            "], got " + std::to_string(connections));
  Generator gen(seed);
  // Every output gets floor(c/out); a uniformly drawn subset of c % out outputs gets one more.
  std::vector<int64_t> fan_in(out, connections / out), order(out);
  std::iota(order.begin(), order.end(), 0);
  for (int64_t k = 0; k < connections % out; ++k) {
    std::swap(order[k], order[k + static_cast<int64_t>(gen.below(out - k))]);
    ++fan_in[order[k]];
  }
  return ConnectionTable(in, out, draw_rows(in, fan_in, gen));
}

ConnectionTable ConnectionTable::grouped(int64_t in, int64_t out, int64_t groups) {
  check_sizes(in, out);
  if (groups < 1 || in % groups || out % groups)
    invalid("in=" + std::to_string(in) + " and out=" + std::to_string(out) + " must both be divisible by groups=" +
            std::to_string(groups));
  std::vector<bool> bits(in * out, false);
  const int64_t in_per = in / groups, out_per = out / groups;
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in_per; ++i) bits[o * in + (o / out_per) * in_per + i] = true;
  return ConnectionTable(in, out, std::move(bits));
}

ConnectionTable ConnectionTable::from_tensor(const Tensor& table) {
  if (table.dim() != 2 || table.numel() == 0)
    invalid("expected a non-empty [out, in] tensor, got " + shape_str(table.shape()));
  std::vector<bool> bits(table.numel());
  dispatch_all(table.dtype(), [&]<class T>() {
    const T* p = table.data<T>();
    for (int64_t k = 0; k < table.numel(); ++k) bits[k] = p[k] != T(0);
  });
  return ConnectionTable(table.shape()[1], table.shape()[0], std::move(bits));
}

int64_t ConnectionTable::connections() const { return std::count(bits_.begin(), bits_.end(), true); }

std::vector<int64_t> ConnectionTable::inputs_of(int64_t out) const {
  std::vector<int64_t> ins;
  for (int64_t i = 0; i < in_; ++i)
    if (connected(out, i)) ins.push_back(i);
  return ins;
}

double ConnectionTable::density() const { return static_cast<double>(connections()) / static_cast<double>(in_ * out_); }

Tensor ConnectionTable::to_tensor() const {
  Tensor t = Tensor::empty({out_, in_}, DType::i64);
  for (int64_t k = 0; k < out_ * in_; ++k) t.data<int64_t>()[k] = bits_[k] ? 1 : 0;
  return t;
}

std::string ConnectionTable::to_string() const {
  std::string s;
  for (int64_t o = 0; o < out_; ++o) {
    s += std::to_string(o) + ":";
    for (int64_t i = 0; i < in_; ++i) s += connected(o, i) ? " X" : " .";
    s += '\n';
  }
  return s;
}

}  // namespace tapenet
