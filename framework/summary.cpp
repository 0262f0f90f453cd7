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

// The module calls of one forward pass on zeros [1, input_shape...], in eval mode, without recording.
// Every module's own mode is restored afterwards (in pre-order, so a parent's recursive train() is
// overridden by its children's saved modes).
std::vector<detail::ModuleCall> trace_calls(Module& model, const Shape& input_shape) {
  std::vector<detail::ModuleCall> calls;
  Shape shape = {1};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  std::vector<std::pair<Module*, bool>> modes;
  for (const auto& [name, m] : model.named_modules()) modes.emplace_back(m, m->is_training());
  const auto restore = [&] {
    detail::call_trace() = nullptr;
    for (const auto& [m, training] : modes) m->train(training);
  };
  NoGradGuard no_grad;
  model.eval();
  detail::call_trace() = &calls;
  try {
    model(zeros(shape));
  } catch (...) {
    restore();
    throw;
  }
  restore();
  return calls;
}

int64_t total_macs(const std::vector<detail::ModuleCall>& calls) {
  int64_t total = 0;
  for (const detail::ModuleCall& c : calls) total += c.macs;
  return total;
}

}  // namespace

int64_t macs_per_sample(Module& model, const Shape& input_shape) { return total_macs(trace_calls(model, input_shape)); }

std::string summary(Module& model, const Shape& input_shape) {
  std::map<const Module*, std::string> names;
  for (const auto& [name, m] : model.named_modules()) names[m] = name;
  const std::vector<detail::ModuleCall> calls = trace_calls(model, input_shape);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-44s %-22s %14s %16s\n", "Layer (type)", "Output shape", "Param #", "Mult-adds");
  out += line;
  out += std::string(99, '=') + "\n";
  for (const detail::ModuleCall& c : calls) {
    const std::string& name = names.count(c.module) ? names[c.module] : std::string("?");
    const std::string label = std::string(2 * c.depth, ' ') + (name.empty() ? "" : name + " ") + "(" +
                              c.module->type_name() + ")";
    std::snprintf(line, sizeof line, "%-44s %-22s %14s %16s\n", label.c_str(), shape_str(c.output).c_str(),
                  with_commas(own_parameters(*c.module)).c_str(), with_commas(c.macs).c_str());
    out += line;
  }
  out += std::string(99, '=') + "\n";
  out += "Trainable params: " + with_commas(model.num_parameters()) + "\n";
  out += "Mult-adds per sample: " + with_commas(total_macs(calls)) + "\n";
  return out;
}

}  // namespace tapenet
