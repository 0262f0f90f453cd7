#pragma once
/// \file Checkpoint files on disk: the crash-safe write (temporary file, fsync, rename) and the
/// mapping between dotted state-dict keys and nested HDF5 groups. Knows nothing of models or
/// optimizers (optim/checkpoint.hpp builds the tree).
#include <string>
#include <utility>
#include <vector>

#include "framework/hdf5_file.hpp"

namespace tapenet {

/// Writes `root` to `path` so that a crash at any moment leaves either the previous file or the
/// new one: the tree goes to `.<name>.tmp-<pid>-<random>` in the same directory, which is flushed
/// and fsync'ed, renamed over `path`, and the directory fsync'ed. Temporary files of the same
/// target left by processes that no longer run are deleted first. Throws IOError naming `path`
/// (the temporary file is removed) when anything fails. Thread-safe (HDF5 calls are serialised).
void write_file_atomically(const std::string& path, const Hdf5Group& root);

/// True when the file name of `path` has the form of write_file_atomically's temporary files
/// (`.<name>.tmp-<digits>-<hex digits>`).
bool is_temporary_checkpoint_name(const std::string& path);

/// Adds `tensor` under `root` at a dotted key as nested groups ("c1.weight" -> group c1, dataset
/// weight) and returns the dataset (to add attributes). Throws ValueError naming the key when a
/// component is empty or the key is already taken by a dataset or a group.
Hdf5Dataset& put_dotted(Hdf5Group& root, const std::string& key, const Tensor& tensor);

/// Every dataset below `group` with its dotted key, depth-first (a group's datasets before its
/// subgroups, names sorted).
std::vector<std::pair<std::string, const Hdf5Dataset*>> dotted_datasets(const Hdf5Group& group);

}  // namespace tapenet
