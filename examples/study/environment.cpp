#include "examples/study/environment.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "framework/parallel.hpp"

namespace tapenet::study {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  return "unknown";
}

/// The source tree's HEAD commit, asked of git at run time so it follows new commits.
std::string git_commit() {
  std::string command = "git -C '";
  command.append(TAPENET_STUDY_SOURCE_DIR).append("' rev-parse HEAD 2>/dev/null");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "unknown";
  std::array<char, 128> buffer{};
  std::string out;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  const int status = ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return status == 0 && out.size() == 40 ? out : "unknown";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text.data();
}

}  // namespace

Environment current_environment() {
  return {cpu_model(), static_cast<int>(std::thread::hardware_concurrency()), get_num_threads(), TAPENET_VERSION,
          git_commit(), utc_now()};
}

Json to_json(const Environment& e) {
  return {{"cpu_model", e.cpu_model}, {"cores", e.cores},   {"threads", e.threads},
          {"tapenet_version", e.tapenet_version}, {"commit", e.commit}, {"date", e.date}};
}

}  // namespace tapenet::study
