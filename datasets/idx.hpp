#pragma once
/// \file IDX files (LeCun's MNIST format) of unsigned bytes, gzip-compressed or raw.
#include <cstdint>
#include <string>
#include <vector>

namespace tapenet::datasets {

/// The dimensions and bytes of one IDX file.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  ///< row-major, product(dims) bytes
};

/// Reads an IDX file of type unsigned byte (magic 0x00 0x00 0x08 ndim, big-endian int32 dims),
/// transparently gunzipping `.gz` content. Throws IOError naming the file for a missing file,
/// a bad magic, a dtype other than ubyte, absurd dims, or a truncated or corrupt payload.
IdxArray read_idx(const std::string& path);

/// Writes `array` as a raw IDX ubyte file, or gzip-compressed when `gzip` (used by tests and tools).
/// Throws IOError naming the file.
void write_idx(const std::string& path, const IdxArray& array, bool gzip);

}  // namespace tapenet::datasets
