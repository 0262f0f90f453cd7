#include "framework/tape.hpp"

#include <algorithm>
#include <limits>

#include "framework/kernels/elementwise.hpp"

namespace tapenet {
namespace {

// A non-leaf whose node a backward pass already consumed and freed.
constexpr uint64_t kFreedSeq = std::numeric_limits<uint64_t>::max();

thread_local bool t_grad_enabled = true;

std::shared_ptr<Tape>& thread_tape() {
  thread_local std::shared_ptr<Tape> tape = std::make_shared<Tape>();
  return tape;
}

const char* kSecondBackward =
    "backward: trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed); specify retain_graph=true on the first backward call";

}  // namespace

void Tape::record(const char* name, const Tensor& output, BackwardFn backward) {
  if (nodes_.size() >= compact_at_) {
    compact();
    compact_at_ = std::max<std::size_t>(1024, 2 * nodes_.size());
  }
  TensorImpl& impl = *output.impl();
  impl.requires_grad = true;
  impl.tape_seq = next_seq_;
  impl.tape = weak_from_this();
  nodes_.push_back(Node{name, output.impl(), std::move(backward), next_seq_++});
}

void Tape::backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  NoGradGuard no_grad;
  const uint64_t seq = root.impl()->tape_seq;
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), seq,
                             [](const Node& n, uint64_t s) { return n.seq < s; });
  if (it == nodes_.end() || it->seq != seq || !it->backward) throw AutogradError(kSecondBackward);
  kernels::accumulate(grad_buffer(root), gradient);
  // Consumed closures are released only after the pass: they hold the inputs whose gradients
  // earlier nodes still have to propagate.
  std::vector<BackwardFn> consumed;
  for (auto node = std::make_reverse_iterator(it + 1); node != nodes_.rend(); ++node) {
    std::shared_ptr<TensorImpl> out = node->output.lock();
    if (!out || !out->grad.defined()) continue;
    if (!node->backward) throw AutogradError(kSecondBackward);
    const Tensor grad_output = std::move(out->grad);
    out->grad = Tensor();
    const Tensor output(out);
    node->backward(grad_output, output);
    if (!retain_graph) {
      consumed.push_back(std::move(node->backward));
      node->backward = nullptr;
      out->tape_seq = kFreedSeq;
    }
  }
  consumed.clear();
  if (!retain_graph) compact();
}

void Tape::compact() {
  // Reverse order: freeing a node's closure releases its inputs, which may let earlier nodes'
  // outputs expire within the same pass.
  for (auto node = nodes_.rbegin(); node != nodes_.rend(); ++node)
    if (node->output.expired()) node->backward = nullptr;
  std::erase_if(nodes_, [](const Node& n) { return !n.backward; });
}

void Tape::clear() {
  std::vector<Node> old;
  old.swap(nodes_);
  for (auto node = old.rbegin(); node != old.rend(); ++node) node->backward = nullptr;
}

const std::shared_ptr<Tape>& active_tape() { return thread_tape(); }

TapeScope::TapeScope(std::shared_ptr<Tape> tape) : previous_(std::move(thread_tape())) {
  thread_tape() = std::move(tape);
}
TapeScope::~TapeScope() { thread_tape() = std::move(previous_); }
const std::shared_ptr<Tape>& TapeScope::tape() const { return thread_tape(); }

bool grad_enabled() { return t_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

void record(const char* name, const Tensor& output, BackwardFn backward) {
  active_tape()->record(name, output, std::move(backward));
}

Tensor& grad_buffer(const Tensor& t) {
  TensorImpl& impl = *t.impl();
  if (impl.tape_seq == kFreedSeq) throw AutogradError(kSecondBackward);
  if (!impl.grad.defined()) {
    impl.grad = Tensor::empty(impl.shape, impl.dtype);
    impl.grad.zero_();
  }
  return impl.grad;
}

}  // namespace tapenet
