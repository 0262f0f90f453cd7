#pragma once
/// \file Where a study ran: CPU, threads, tapenet version, git commit and date, for the report.
#include <string>

#include "examples/study/config.hpp"

namespace tapenet::study {

struct Environment {
  std::string cpu_model;  ///< "model name" of /proc/cpuinfo ("unknown" elsewhere)
  int cores = 0;          ///< hardware threads
  int threads = 0;        ///< threads the study computes with
  std::string tapenet_version;
  std::string commit;     ///< `git rev-parse HEAD` of the source tree, "unknown" outside a checkout
  std::string date;       ///< UTC, ISO 8601
};

/// Reads the environment now (runs `git -C <source dir> rev-parse HEAD`; never throws).
Environment current_environment();

Json to_json(const Environment& environment);

}  // namespace tapenet::study
