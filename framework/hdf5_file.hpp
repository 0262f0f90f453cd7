#pragma once
/// \file An HDF5 file as an in-memory tree: groups with attributes, datasets holding tensors. The
/// whole tree is written or read in one call, so no HDF5 handle (and no hdf5.h) leaves
/// hdf5_file.cpp, and a reader validates everything before anything is applied.
///
/// Threads: serial HDF5 is not thread-safe; both calls hold one process-wide mutex around every
/// HDF5 call. HDF5's own error stack is never printed: failures throw IOError naming the file.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// An attribute: a string, an integer, a double or a list of strings (stored as variable-length
/// UTF-8 strings, 64-bit integers and doubles).
using Hdf5Attribute = std::variant<std::string, int64_t, double, std::vector<std::string>>;
using Hdf5Attributes = std::map<std::string, Hdf5Attribute>;

/// A dataset: a tensor (float32, float64 or int64; a 0-d tensor is a scalar dataspace) and its
/// attributes.
struct Hdf5Dataset {
  Tensor tensor;
  Hdf5Attributes attributes;
};

/// A group: its attributes, datasets and subgroups by name (names sorted, as HDF5 lists them).
struct Hdf5Group {
  Hdf5Attributes attributes;
  std::map<std::string, Hdf5Dataset> datasets;
  std::map<std::string, Hdf5Group> groups;
};

/// Creates (or truncates) `path` and writes `root` into it, then flushes and closes it. The root
/// group's attributes are written last, so a file cut short lacks them. Throws IOError naming the
/// file when it cannot be created or written.
void write_hdf5_file(const std::string& path, const Hdf5Group& root);

/// Reads the whole file into memory. Throws IOError naming the file and the problem when it does
/// not exist, is not an HDF5 file, is truncated or corrupt, or holds a dataset whose type is not
/// float32, float64 or int64 (naming the dataset) or an attribute of another type.
Hdf5Group read_hdf5_file(const std::string& path);

}  // namespace tapenet
