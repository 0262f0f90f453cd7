#pragma once
/// \file The tape: a Wengert list of recorded ops for reverse-mode autodiff.
///
/// Each differentiable op appends one node {name, output, backward closure}. Recording order is
/// topological, so backward is a single reverse loop (no recursion: a chain of 100 000 ops is fine).
/// Every thread has its own *active* tape; a tensor remembers the tape that recorded it, so
/// `loss.backward()` replays that tape.
///
/// Backward closures **accumulate** (`+=`) into their inputs' gradient buffers (see grad_buffer).
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "framework/tensor.hpp"

namespace tapenet {

/// Backward closure of one recorded op: receives the gradient of the op's output and the output
/// itself (so closures never need to capture it), and accumulates into the inputs' grad_buffer().
using BackwardFn = std::function<void(const Tensor& grad_output, const Tensor& output)>;

/// Create tapes with std::make_shared (tensors keep a weak reference to their tape).
class Tape : public std::enable_shared_from_this<Tape> {
 public:
  struct Node {
    const char* name;
    std::weak_ptr<TensorImpl> output;
    BackwardFn backward;  ///< empty once freed
    uint64_t seq;
  };

  /// Appends a node producing `output`, marks `output` as a non-leaf requiring grad and
  /// remembers this tape in it. Called by ops through `record()`.
  void record(const char* name, const Tensor& output, BackwardFn backward);

  /// Propagates `gradient` from `root` back through the nodes recorded before it.
  /// See Tensor::backward for the contract. Throws AutogradError on a freed graph.
  void backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

  /// Drops every node and the tensors their closures saved.
  void clear();

  /// Number of live nodes (for tests and diagnostics).
  std::size_t size() const { return nodes_.size(); }

 private:
  void compact();
  std::vector<Node> nodes_;
  uint64_t next_seq_ = 1;
  std::size_t compact_at_ = 1024;
};

/// The calling thread's active tape (created on first use).
const std::shared_ptr<Tape>& active_tape();

/// RAII: makes `tape` (a fresh one by default) the active tape of this thread for the scope.
class TapeScope {
 public:
  explicit TapeScope(std::shared_ptr<Tape> tape = std::make_shared<Tape>());
  ~TapeScope();
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;
  const std::shared_ptr<Tape>& tape() const;

 private:
  std::shared_ptr<Tape> previous_;
};

/// Whether ops record on this thread (true unless a NoGradGuard is alive).
bool grad_enabled();

/// RAII: disables recording on this thread for the scope (PyTorch's `torch.no_grad()`).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// True when an op on these inputs must record: recording is enabled and any input requires grad.
template <class... Ts>
bool needs_grad(const Ts&... inputs) {
  return grad_enabled() && (... || (inputs.defined() && inputs.requires_grad()));
}

/// Records `backward` for `output` on the active tape.
void record(const char* name, const Tensor& output, BackwardFn backward);

/// The gradient buffer of `t` (zero-filled, same shape and dtype, allocated on first use) into
/// which backward closures accumulate. Throws AutogradError when `t`'s own graph was already
/// freed by an earlier backward (the gradient could never reach its inputs).
Tensor& grad_buffer(const Tensor& t);

}  // namespace tapenet
