#include "framework/kernels/loss.hpp"

#include <algorithm>
#include <string>

#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

constexpr int64_t kLossGrain = 1 << 15;  // elements per task

// The per-sample factors of the loss: hit = 1 - s on the label, spread = s / C on every class.
template <class T>
struct Weights {
  T hit, spread;
  Weights(double smoothing, int64_t classes)
      : hit(static_cast<T>(1 - smoothing)), spread(static_cast<T>(smoothing / static_cast<double>(classes))) {}
};

// Calls row(i, t_i) for every sample whose label is not ignore_index, rows split among tasks
// (a row costs C elements with smoothing, one without).
template <class Row>
void for_each_counted_row(const Tensor& target, int64_t classes, double smoothing, int64_t ignore_index, Row row) {
  const int64_t* t = target.data<int64_t>();
  const int64_t row_cost = smoothing > 0 ? std::max<int64_t>(classes, 1) : 1;
  parallel_for(0, target.numel(), std::max<int64_t>(1, kLossGrain / row_cost), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      if (t[i] != ignore_index) row(i, t[i]);
  });
}

}  // namespace

int64_t nll_forward(const Tensor& input, const Tensor& target, int64_t ignore_index, double smoothing,
                    Tensor& losses, const char* op) {
  const int64_t classes = input.shape()[1];
  const int64_t* t = target.data<int64_t>();
  int64_t counted = 0;
  for (int64_t i = 0; i < target.numel(); ++i) {
    if (t[i] == ignore_index) continue;
    if (t[i] < 0 || t[i] >= classes) {
      std::string msg = op;
      msg.append(": target ").append(std::to_string(t[i])).append(" at index ").append(std::to_string(i));
      msg.append(" is out of bounds for ").append(std::to_string(classes)).append(" classes");
      throw IndexError(msg);
    }
    ++counted;
  }
  dispatch_floating(input.dtype(), op, [&]<class T>() {
    const T* x = input.data<T>();
    T* l = losses.data<T>();
    std::fill_n(l, losses.numel(), T(0));
    const Weights<T> w(smoothing, classes);
    for_each_counted_row(target, classes, smoothing, ignore_index, [&](int64_t i, int64_t label) {
      const T* row = x + i * classes;
      T loss = -w.hit * row[label];
      if (smoothing > 0) {
        T total = 0;
        for (int64_t c = 0; c < classes; ++c) total += row[c];
        loss -= w.spread * total;
      }
      l[i] = loss;
    });
  });
  return counted;
}

void nll_backward(const Tensor& grad_losses, const Tensor& target, int64_t ignore_index, double smoothing,
                  Tensor& grad_input) {
  const int64_t classes = grad_input.shape()[1];
  dispatch_floating(grad_input.dtype(), "nll backward", [&]<class T>() {
    const T* g = grad_losses.data<T>();
    T* gx = grad_input.data<T>();
    const Weights<T> w(smoothing, classes);
    for_each_counted_row(target, classes, smoothing, ignore_index, [&](int64_t i, int64_t label) {
      T* row = gx + i * classes;
      if (smoothing > 0)
        for (int64_t c = 0; c < classes; ++c) row[c] -= g[i] * w.spread;
      row[label] -= g[i] * w.hit;
    });
  });
}

}  // namespace tapenet::kernels
