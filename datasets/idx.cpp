#include "datasets/idx.hpp"

#include <zlib.h>

#include <memory>

#include "framework/errors.hpp"

namespace tapenet::datasets {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IOError("read_idx: " + path + ": " + what);
}

void read_exactly(gzFile f, void* dst, std::size_t n, const std::string& path, const char* what) {
  auto* p = static_cast<unsigned char*>(dst);
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
    const int got = gzread(f, p, chunk);
    if (got < 0) {
      int err = 0;
      fail(path, std::string("corrupt data while reading the ") + what + " (" + gzerror(f, &err) + ")");
    }
    if (got == 0) fail(path, std::string("truncated file: the ") + what + " ends early");
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) fail(path, "cannot open file");
  unsigned char magic[4];
  read_exactly(f.get(), magic, 4, path, "header");
  if (magic[0] != 0 || magic[1] != 0) fail(path, "not an IDX file (bad magic number)");
  if (magic[2] != 0x08) fail(path, "IDX element type " + std::to_string(magic[2]) + " is not unsigned byte (8)");
  const int ndim = magic[3];
  if (ndim < 1 || ndim > 4) fail(path, "IDX file with " + std::to_string(ndim) + " dimensions");
  IdxArray out;
  std::size_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    unsigned char b[4];
    read_exactly(f.get(), b, 4, path, "header");
    const int64_t n = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | int64_t{b[3]};
    if (n <= 0 || n > (int64_t{1} << 28)) fail(path, "implausible dimension " + std::to_string(n));
    out.dims.push_back(n);
    total *= static_cast<std::size_t>(n);
  }
  if (total > (std::size_t{1} << 33)) fail(path, "payload of " + std::to_string(total) + " bytes is too large");
  out.data.resize(total);
  read_exactly(f.get(), out.data.data(), total, path, "payload");
  unsigned char extra;
  if (gzread(f.get(), &extra, 1) != 0) fail(path, "trailing bytes after the declared payload");
  return out;
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  GzFile f(gzopen(path.c_str(), gzip ? "wb" : "wbT"));
  if (!f) throw IOError("write_idx: " + path + ": cannot create file");
  std::vector<unsigned char> header = {0, 0, 0x08, static_cast<unsigned char>(array.dims.size())};
  for (int64_t n : array.dims)
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<unsigned char>(n >> shift));
  const auto write = [&](const void* p, std::size_t n) {
    if (n && gzwrite(f.get(), p, static_cast<unsigned>(n)) != static_cast<int>(n))
      throw IOError("write_idx: " + path + ": write failed");
  };
  write(header.data(), header.size());
  write(array.data.data(), array.data.size());
  if (gzclose(f.release()) != Z_OK) throw IOError("write_idx: " + path + ": close failed");
}

}  // namespace tapenet::datasets
