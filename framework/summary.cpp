#include "framework/summary.hpp"

#include <cstdio>
#include <map>
#include <vector>

#include "framework/call_trace.hpp"
#include "framework/factories.hpp"
#include "framework/tape.hpp"

namespace tapenet {
namespace {

int64_t own_parameters(const Module& m) {
  int64_t total = m.num_parameters();
  for (const auto& [name, child] : m.named_children()) total -= child->num_parameters();
  return total;
}

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string summary(Module& model, const Shape& input_shape) {
  std::map<const Module*, std::string> names;
  for (const auto& [name, m] : model.named_modules()) names[m] = name;
  std::vector<detail::ModuleCall> calls;
  Shape shape = {1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  {
    NoGradGuard no_grad;
    detail::call_trace() = &calls;
    try {
      model(zeros(shape));
    } catch (...) {
      detail::call_trace() = nullptr;
      throw;
    }
    detail::call_trace() = nullptr;
  }
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-44s %-22s %14s %16s\n", "Layer (type)", "Output shape", "Param #", "Mult-adds");
  out += line;
  out += std::string(99, '=') + "\n";
  int64_t total_macs = 0;
  for (const detail::ModuleCall& c : calls) {
    const std::string& name = names.count(c.module) ? names[c.module] : std::string("?");
    const std::string label = std::string(2 * c.depth, ' ') + (name.empty() ? "" : name + " ") + "(" +
                              c.module->type_name() + ")";
    std::snprintf(line, sizeof line, "%-44s %-22s %14s %16s\n", label.c_str(), shape_str(c.output).c_str(),
                  with_commas(own_parameters(*c.module)).c_str(), with_commas(c.macs).c_str());
    out += line;
    total_macs += c.macs;
  }
  out += std::string(99, '=') + "\n";
  out += "Trainable params: " + with_commas(model.num_parameters()) + "\n";
  out += "Mult-adds per sample: " + with_commas(total_macs) + "\n";
  return out;
}

}  // namespace tapenet
