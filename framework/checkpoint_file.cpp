#include "framework/checkpoint_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>
#include <sstream>

#include "framework/errors.hpp"

namespace tapenet {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTempMarker = ".tmp-";

/// `.<name>.tmp-` for the target `name`: every temporary file of that target starts with it.
std::string temp_prefix(const fs::path& target) {
  std::string out = ".";
  return out.append(target.filename().string()).append(kTempMarker);
}

fs::path temp_path(const fs::path& target) {
  std::random_device rd;
  std::ostringstream name;
  name << temp_prefix(target) << ::getpid() << '-' << std::hex << rd();
  return target.parent_path() / name.str();
}

/// Deletes `.<name>.tmp-<pid>-*` files of `target` whose process no longer runs.
void remove_stale_temporaries(const fs::path& target) {
  const std::string prefix = temp_prefix(target);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

/// fsync of a file or directory; false when it cannot be opened or synced.
bool sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

void require(bool ok, const std::string& path, const char* what) {
  if (ok) return;
  std::string msg = path;
  msg.append(": ").append(what);
  throw IOError(msg);
}

}  // namespace

void write_file_atomically(const std::string& path, const Hdf5Group& root) {
  const fs::path target(path);
  require(!target.filename().empty(), path, "not a file name");
  remove_stale_temporaries(target);
  const fs::path temp = temp_path(target);
  const auto remove_temp = [&] {
    std::error_code ec;
    fs::remove(temp, ec);
  };
  try {
    write_hdf5_file(temp.string(), root);
  } catch (const IOError& e) {
    remove_temp();
    std::string msg = path;
    throw IOError(msg.append(": cannot write the temporary file ").append(e.what()));
  }
  if (!sync_path(temp, O_RDONLY) || std::rename(temp.c_str(), target.c_str()) != 0) {
    remove_temp();
    require(false, path, "cannot fsync the temporary file or rename it over the file");
  }
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  require(sync_path(dir, O_RDONLY | O_DIRECTORY), path, "cannot fsync the directory");
}

bool is_temporary_checkpoint_name(const std::string& path) {
  static const std::regex pattern(R"(\..+\.tmp-[0-9]+-[0-9a-f]+)");
  return std::regex_match(fs::path(path).filename().string(), pattern);
}

Hdf5Dataset& put_dotted(Hdf5Group& root, const std::string& key, const Tensor& tensor) {
  Hdf5Group* group = &root;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ValueError("checkpoint: empty component in key '" + key + "'");
    const bool last = dot == std::string::npos;
    if (group->datasets.count(part) || (last && group->groups.count(part)))
      throw ValueError("checkpoint: key '" + key + "' clashes with another entry");
    if (last) return group->datasets[part] = Hdf5Dataset{tensor, {}};
    group = &group->groups[part];
    start = dot + 1;
  }
}

namespace {

void collect(const Hdf5Group& group, const std::string& prefix,
             std::vector<std::pair<std::string, const Hdf5Dataset*>>& out) {
  for (const auto& [name, ds] : group.datasets) out.emplace_back(prefix + name, &ds);
  for (const auto& [name, sub] : group.groups) collect(sub, prefix + name + ".", out);
}

}  // namespace

std::vector<std::pair<std::string, const Hdf5Dataset*>> dotted_datasets(const Hdf5Group& group) {
  std::vector<std::pair<std::string, const Hdf5Dataset*>> out;
  collect(group, "", out);
  return out;
}

}  // namespace tapenet
