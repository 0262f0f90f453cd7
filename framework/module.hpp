#pragma once
/// \file Module: the base of every layer. Holds named parameters, buffers and child modules,
/// walks them depth-first in registration order with PyTorch's dotted names
/// (`features.conv1.weight`), and moves them in and out of state dicts.
///
/// Modules are non-copyable and shared through std::shared_ptr. A module holds no math and no
/// threads: forward() calls ops.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// An ordered name -> tensor list, like PyTorch's OrderedDict state dict.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

/// What a non-strict load_state_dict skipped.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;     ///< in the module, not in the dict
  std::vector<std::string> unexpected_keys;  ///< in the dict, not in the module
};

class Module {
 public:
  /// `type_name` is what repr() prints ("Linear", "Sequential", ...).
  explicit Module(std::string type_name);
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The module's computation. The default throws ValueError naming the module type.
  virtual Tensor forward(const Tensor& input);
  /// Calls forward (and reports the call to summary() when one is running).
  Tensor operator()(const Tensor& input);

  /// Adds a parameter (a leaf; requires_grad is set). Returns the stored handle, which shares its
  /// data and gradient with `tensor`. Throws ValueError for an empty, dotted or duplicate name.
  Tensor& register_parameter(const std::string& name, const Tensor& tensor);
  /// Adds a buffer: state saved in state dicts but not trained (running statistics, masks).
  Tensor& register_buffer(const std::string& name, const Tensor& tensor);
  /// Adds a child module; its entries appear under `name.`.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  /// Parameters with dotted names, depth-first in registration order (own entries first).
  StateDict named_parameters(bool recurse = true) const;
  StateDict named_buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  /// This module (named `prefix`, "" by default) and every descendant, depth-first. The pointers
  /// are valid while this module lives.
  std::vector<std::pair<std::string, Module*>> named_modules(const std::string& prefix = "");
  std::vector<Tensor> parameters(bool recurse = true) const;

  /// Sets training mode here and in every descendant (affects dropout and batch norm).
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Drops the gradient of every parameter (set_to_none).
  void zero_grad();

  /// Every parameter and buffer under its dotted key; tensors share data with the module.
  StateDict state_dict() const;
  /// Copies matching entries into the module's tensors in place. With `strict`, any missing or
  /// unexpected key, or any shape or dtype mismatch, throws ValueError listing all of them and
  /// nothing is changed. Without it, keys present on both sides are loaded (shape and dtype must
  /// still match) and the skipped keys are returned.
  LoadStateDictResult load_state_dict(const StateDict& dict, bool strict = true);

  /// Trainable weights that can change: layers with structurally-zero weights (connection
  /// tables) count only their live ones.
  virtual int64_t num_parameters() const;

  /// Multiply-adds per sample of this module's own computation (children excluded), given the
  /// shapes of one forward call; 0 for layers without multiplications. Used by summary().
  virtual int64_t macs_per_sample(const Shape& input, const Shape& output) const;

  /// PyTorch-style nested description: `Sequential(\n  (0): Linear(in_features=4, ...)\n)`.
  std::string repr() const;
  /// The part inside the parentheses for a leaf layer ("in_features=4, out_features=2").
  virtual std::string extra_repr() const { return ""; }
  const std::string& type_name() const { return type_name_; }

 protected:
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  void check_new_name(const std::string& name, const char* what) const;
  void collect(const std::string& prefix, bool recurse, bool params, bool buffers, StateDict& out) const;

  std::string type_name_;
  bool training_ = true;
  StateDict parameters_;
  StateDict buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

}  // namespace tapenet
