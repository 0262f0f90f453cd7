#pragma once
/// \file Helpers shared by the data-set and loader tests: a scratch directory and tiny data files.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/idx.hpp"

namespace tapenet::testing {

/// A scratch directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("tapenet-data-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// n images of 2x3 pixels, pixel i of the whole array = i * 7 % 256.
inline datasets::IdxArray sample_images(int64_t n) {
  datasets::IdxArray a{{n, 2, 3}, {}};
  for (int64_t i = 0; i < n * 6; ++i) a.data.push_back(static_cast<uint8_t>(i * 7 % 256));
  return a;
}

/// A CIFAR-10 batch file of `labels.size()` records; pixel p of record r = (r + p) % 256.
inline void write_cifar_batch(const std::string& path, const std::vector<uint8_t>& labels) {
  std::string bytes;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    bytes.push_back(static_cast<char>(labels[r]));
    for (int p = 0; p < 3072; ++p) bytes.push_back(static_cast<char>((r + p) % 256));
  }
  write_bytes(path, bytes);
}

}  // namespace tapenet::testing
