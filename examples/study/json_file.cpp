#include "examples/study/json_file.hpp"

#include <filesystem>
#include <fstream>

#include "framework/errors.hpp"

namespace tapenet::study {

void write_json_file(const std::string& path, const Json& json) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << json.dump(2) << "\n";
    if (!out.flush()) throw IOError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IOError("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IOError("cannot open " + path);
  try {
    return Json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw IOError(path + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace tapenet::study
