#pragma once
/// \file ConnectionTable: which input maps each output map of a convolution reads.
#include <cstdint>
#include <string>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// A boolean matrix table[out][in]: output map o reads input map i. Every output reads at least
/// one input (ValueError otherwise). Stored in state dicts as an int64 0/1 tensor [out, in].
class ConnectionTable {
 public:
  /// From an explicit matrix of `out` rows of `in` entries. Throws ValueError on ragged rows, an
  /// empty matrix or an output without inputs.
  explicit ConnectionTable(const std::vector<std::vector<bool>>& rows);

  /// Every output reads every input (a dense convolution).
  static ConnectionTable full(int64_t in, int64_t out);
  /// LeCun et al. 1998, table I: the 6 -> 16 C3 table with 60 connections. Output map o reads
  /// S2 maps 0:{0,1,2} 1:{1,2,3} ... 5:{5,0,1}, 6:{0,1,2,3} ... 11:{5,0,1,2}, 12:{0,1,3,4}
  /// 13:{1,2,4,5} 14:{0,2,3,5}, 15: all six.
  static ConnectionTable lenet5();
  /// Each output reads `fan_in` distinct inputs drawn uniformly with a generator seeded by `seed`.
  static ConnectionTable random(int64_t in, int64_t out, int64_t fan_in, uint64_t seed);
  /// Exactly `connections` connections (out <= connections <= in·out), spread as evenly as possible:
  /// every output reads floor(c/out) or ceil(c/out) distinct inputs, the outputs that get one more
  /// and the inputs each reads drawn uniformly with a generator seeded by `seed`. A random table of
  /// the same density as another: random_connections(in, out, other.connections(), seed).
  static ConnectionTable random_connections(int64_t in, int64_t out, int64_t connections, uint64_t seed);
  /// The block-diagonal table of a grouped convolution (in and out divisible by groups).
  static ConnectionTable grouped(int64_t in, int64_t out, int64_t groups);
  /// From a 0/1 tensor [out, in] of any dtype (nonzero = connected).
  static ConnectionTable from_tensor(const Tensor& table);

  int64_t in_channels() const { return in_; }
  int64_t out_channels() const { return out_; }
  bool connected(int64_t out, int64_t in) const { return bits_[out * in_ + in]; }
  /// Total number of connections.
  int64_t connections() const;
  /// The inputs read by output `out`, ascending.
  std::vector<int64_t> inputs_of(int64_t out) const;
  /// connections() / (in * out).
  double density() const;
  bool is_full() const { return connections() == in_ * out_; }

  /// The int64 0/1 tensor [out, in].
  Tensor to_tensor() const;
  /// One row per output map: "o: X X . X ..." (X = connected).
  std::string to_string() const;
  bool operator==(const ConnectionTable& other) const = default;

 private:
  ConnectionTable(int64_t in, int64_t out, std::vector<bool> bits);
  int64_t in_ = 0, out_ = 0;
  std::vector<bool> bits_;
};

}  // namespace tapenet

namespace tapenet::nn {
/// Layers name it nn::ConnectionTable, as the study and the Python API do.
using tapenet::ConnectionTable;
}  // namespace tapenet::nn
