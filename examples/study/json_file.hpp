#pragma once
/// \file JSON files of the study (config.json, run.json, summary.json): written atomically, read
/// with errors that name the file.
#include <string>

#include "examples/study/config.hpp"

namespace tapenet::study {

/// Writes `json` (indented) to `path` through a temporary file renamed over it, so a crash never
/// leaves it half-written. Throws IOError naming the path.
void write_json_file(const std::string& path, const Json& json);
/// Reads a JSON file. Throws IOError naming the path when it cannot be opened or is not JSON.
Json read_json_file(const std::string& path);

}  // namespace tapenet::study
