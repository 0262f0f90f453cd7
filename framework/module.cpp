#include "framework/module.hpp"

#include <algorithm>
#include <map>

#include "framework/call_trace.hpp"

namespace tapenet {

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

Tensor Module::forward(const Tensor&) { throw ValueError(type_name_ + ": forward is not implemented"); }

namespace detail {
std::vector<ModuleCall>*& call_trace() {
  thread_local std::vector<ModuleCall>* trace = nullptr;
  return trace;
}
}  // namespace detail

namespace {
thread_local int t_call_depth = 0;
}  // namespace

Tensor Module::operator()(const Tensor& input) {
  std::vector<detail::ModuleCall>* trace = detail::call_trace();
  if (!trace) return forward(input);
  const std::size_t slot = trace->size();
  trace->push_back({this, t_call_depth, {}, 0});
  ++t_call_depth;
  Tensor out;
  try {
    out = forward(input);
  } catch (...) {
    --t_call_depth;
    throw;
  }
  --t_call_depth;
  (*trace)[slot].output = out.shape();
  (*trace)[slot].macs = macs_per_sample(input.shape(), out.shape());
  return out;
}

int64_t Module::macs_per_sample(const Shape&, const Shape&) const { return 0; }

void Module::check_new_name(const std::string& name, const char* what) const {
  if (name.empty()) throw ValueError(type_name_ + ": " + what + " name must not be empty");
  if (name.find('.') != std::string::npos)
    throw ValueError(type_name_ + ": " + what + " name \"" + name + "\" must not contain \".\"");
  const auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& e) { return e.first == name; });
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    throw ValueError(type_name_ + ": attribute \"" + name + "\" already exists");
}

Tensor& Module::register_parameter(const std::string& name, const Tensor& tensor) {
  check_new_name(name, "parameter");
  Tensor handle = tensor;
  if (!handle.requires_grad()) handle.requires_grad_();
  parameters_.emplace_back(name, handle);
  return parameters_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, const Tensor& tensor) {
  check_new_name(name, "buffer");
  buffers_.emplace_back(name, tensor);
  return buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module");
  if (!module) throw ValueError(type_name_ + ": module \"" + name + "\" is null");
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool params, bool buffers, StateDict& out) const {
  if (params)
    for (const auto& [name, t] : parameters_) out.emplace_back(prefix + name, t);
  if (buffers)
    for (const auto& [name, t] : buffers_) out.emplace_back(prefix + name, t);
  if (recurse)
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, params, buffers, out);
}

StateDict Module::named_parameters(bool recurse) const {
  StateDict out;
  collect("", recurse, true, false, out);
  return out;
}

StateDict Module::named_buffers(bool recurse) const {
  StateDict out;
  collect("", recurse, false, true, out);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const { return children_; }

std::vector<std::pair<std::string, Module*>> Module::named_modules(const std::string& prefix) {
  std::vector<std::pair<std::string, Module*>> out;
  out.emplace_back(prefix, this);
  for (const auto& [name, child] : children_)
    for (auto& entry : child->named_modules(prefix.empty() ? name : prefix + "." + name))
      out.push_back(std::move(entry));
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& [name, t] : named_parameters()) t.zero_grad();
}

StateDict Module::state_dict() const {
  StateDict out;
  collect("", true, true, true, out);
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& dict, bool strict) {
  const StateDict own = state_dict();
  std::map<std::string, const Tensor*> given;
  for (const auto& [key, t] : dict) given[key] = &t;
  LoadStateDictResult result;
  std::vector<std::string> mismatches;
  std::vector<std::pair<Tensor, const Tensor*>> copies;
  for (const auto& [key, t] : own) {
    auto it = given.find(key);
    if (it == given.end()) {
      result.missing_keys.push_back(key);
      continue;
    }
    const Tensor& src = *it->second;
    if (src.shape() != t.shape() || src.dtype() != t.dtype())
      mismatches.push_back(key + ": checkpoint " + shape_str(src.shape()) + " " + dtype_name(src.dtype()) +
                           ", model " + shape_str(t.shape()) + " " + dtype_name(t.dtype()));
    else
      copies.emplace_back(t, &src);
    given.erase(it);
  }
  for (const auto& [key, t] : dict)
    if (given.count(key)) result.unexpected_keys.push_back(key);
  const bool key_errors = strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty());
  if (key_errors || !mismatches.empty()) {
    std::string msg = "load_state_dict: error(s) in loading the state dict for " + type_name_ + ":";
    const auto list = [&](const char* what, const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      msg.append("\n  ").append(what).append(":");
      for (const std::string& k : keys) msg.append(" ").append(k);
    };
    if (strict) {
      list("missing keys", result.missing_keys);
      list("unexpected keys", result.unexpected_keys);
    }
    for (const std::string& m : mismatches) msg.append("\n  size or dtype mismatch for ").append(m);
    throw ValueError(msg);
  }
  for (auto& [dst, src] : copies) dst.copy_(*src);
  return result;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [name, t] : parameters_) n += t.numel();
  for (const auto& [name, child] : children_) n += child->num_parameters();
  return n;
}

std::string Module::repr() const {
  std::string out = type_name_ + "(";
  if (children_.empty()) return out + extra_repr() + ")";
  const std::string extra = extra_repr();
  if (!extra.empty()) out.append("\n  ").append(extra);
  for (const auto& [name, child] : children_) {
    std::string inner = child->repr();
    std::string indented;
    for (char c : inner) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    out.append("\n  (").append(name).append("): ").append(indented);
  }
  return out + "\n)";
}

}  // namespace tapenet
