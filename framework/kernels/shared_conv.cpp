#include "framework/kernels/shared_conv.hpp"

#include <algorithm>
#include <cmath>

#include "framework/factories.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Elements handled per parallel_for task at least (the per-image passes are memory-bound and short).
constexpr int64_t kGrainElements = 1 << 15;

int64_t image_grain(int64_t per_image) { return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, per_image)); }

// The pair convolution's weight [pairs, C, kh, kw]: slice (r, pair_channel[r]) = w[o] for the pairs r
// of output o; the other slices are zero (and never read by the connection-table kernels).
Tensor pair_weight(const Tensor& weight, const SharedMaxPlan& p) {
  const ConvGeometry& g = p.pair_conv.geometry;
  const int64_t C = p.in_channels, kk = g.kernel_size();
  Tensor wp = zeros({p.pairs(), C, g.kernel_h, g.kernel_w}, weight.dtype());
  dispatch_floating(weight.dtype(), "shared_max_conv2d", [&]<class T>() {
    const T* w = weight.data<T>();
    T* out = wp.data<T>();
    for (int64_t o = 0; o < p.out_channels; ++o)
      for (int64_t r = p.pair_begin[o]; r < p.pair_begin[o + 1]; ++r)
        std::copy_n(w + o * kk, kk, out + (r * C + p.pair_channel[r]) * kk);
  });
  return wp;
}

// y[n, o] = max over the pairs of o of responses[n, pair] + bias[o]; argmax = the winning pair's channel.
// A response replaces the running maximum when it is larger or the first NaN (the max reduction's rule).
template <class T>
void reduce_pairs(const T* responses, const T* bias, T* y, int32_t* argmax, int64_t hw, const SharedMaxPlan& p) {
  const int64_t O = p.out_channels, pairs = p.pairs();
  parallel_for(0, p.batch, image_grain(pairs * hw), [&](int64_t b, int64_t e) {
    for (int64_t img = b; img < e; ++img)
      for (int64_t o = 0; o < O; ++o) {
        T* yo = y + (img * O + o) * hw;
        int32_t* ao = argmax + (img * O + o) * hw;
        const int64_t r0 = p.pair_begin[o];
        const T* first = responses + (img * pairs + r0) * hw;
        std::copy_n(first, hw, yo);
        std::fill_n(ao, hw, static_cast<int32_t>(p.pair_channel[r0]));
        for (int64_t r = r0 + 1; r < p.pair_begin[o + 1]; ++r) {
          const T* row = responses + (img * pairs + r) * hw;
          const auto c = static_cast<int32_t>(p.pair_channel[r]);
          for (int64_t q = 0; q < hw; ++q) {
            const T v = row[q], cur = yo[q];
            const bool take = !std::isnan(cur) && (v > cur || std::isnan(v));
            yo[q] = take ? v : cur;
            ao[q] = take ? c : ao[q];
          }
        }
        if (bias)
          for (int64_t q = 0; q < hw; ++q) yo[q] += bias[o];
      }
  });
}

// The pair convolution's output gradient: gp[n, pair(o, argmax[n, o, q]), q] = gy[n, o, q], zero elsewhere.
template <class T>
void route_gradient(const T* gy, const int32_t* argmax, T* gp, int64_t hw, const SharedMaxPlan& p) {
  const int64_t O = p.out_channels, C = p.in_channels, pairs = p.pairs();
  parallel_for(0, p.batch, image_grain(pairs * hw), [&](int64_t b, int64_t e) {
    std::fill(gp + b * pairs * hw, gp + e * pairs * hw, T(0));
    for (int64_t img = b; img < e; ++img)
      for (int64_t o = 0; o < O; ++o) {
        const T* go = gy + (img * O + o) * hw;
        const int32_t* ao = argmax + (img * O + o) * hw;
        T* gpi = gp + img * pairs * hw;
        for (int64_t q = 0; q < hw; ++q) gpi[p.pair_of[o * C + ao[q]] * hw + q] = go[q];
      }
  });
}

// gw[o] += Σ_{pairs r of o} gwp[r, pair_channel[r]]; gb[o] += Σ_r gbp[r] (pairs in order).
template <class T>
void fold_pairs(const T* gwp, const T* gbp, T* gw, T* gb, int64_t kk, const SharedMaxPlan& p) {
  const int64_t C = p.in_channels;
  std::vector<T> sum(kk);
  for (int64_t o = 0; o < p.out_channels; ++o) {
    const int64_t r0 = p.pair_begin[o], r1 = p.pair_begin[o + 1];
    if (gw) {
      std::copy_n(gwp + (r0 * C + p.pair_channel[r0]) * kk, kk, sum.begin());
      for (int64_t r = r0 + 1; r < r1; ++r)
        for (int64_t t = 0; t < kk; ++t) sum[t] += gwp[(r * C + p.pair_channel[r]) * kk + t];
      for (int64_t t = 0; t < kk; ++t) gw[o * kk + t] += sum[t];
    }
    if (gb) {
      T s = gbp[r0];
      for (int64_t r = r0 + 1; r < r1; ++r) s += gbp[r];
      gb[o] += s;
    }
  }
}

}  // namespace

SharedMaxPlan plan_shared_max_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                     const std::vector<bool>& connected, const ConvGeometry& geometry) {
  SharedMaxPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.pair_begin.assign(out_channels + 1, 0);
  p.pair_of.assign(out_channels * in_channels, -1);
  for (int64_t o = 0; o < out_channels; ++o) {
    for (int64_t c = 0; c < in_channels; ++c)
      if (connected[o * in_channels + c]) {
        p.pair_of[o * in_channels + c] = p.pairs();
        p.pair_channel.push_back(c);
      }
    p.pair_begin[o + 1] = p.pairs();
  }
  std::vector<bool> pair_connected(p.pairs() * in_channels, false);
  for (int64_t r = 0; r < p.pairs(); ++r) pair_connected[r * in_channels + p.pair_channel[r]] = true;
  p.pair_conv = plan_connection_conv2d(batch, in_channels, p.pairs(), pair_connected, geometry);
  return p;
}

void shared_max_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               std::vector<int32_t>& argmax, const SharedMaxPlan& plan) {
  const ConvGeometry& g = plan.pair_conv.geometry;
  const int64_t hw = g.out_size();
  Tensor responses = Tensor::empty({plan.batch, plan.pairs(), g.out_h(), g.out_w()}, input.dtype());
  connection_conv2d_forward(input, pair_weight(weight, plan), Tensor(), responses, plan.pair_conv);
  argmax.resize(static_cast<std::size_t>(plan.batch * plan.out_channels * hw));
  dispatch_floating(input.dtype(), "shared_max_conv2d", [&]<class T>() {
    reduce_pairs(responses.data<T>(), bias.defined() ? bias.data<T>() : nullptr, output.data<T>(), argmax.data(), hw,
                 plan);
  });
}

void shared_max_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                const std::vector<int32_t>& argmax, Tensor* grad_input, Tensor* grad_weight,
                                Tensor* grad_bias, const SharedMaxPlan& plan) {
  if (!grad_input && !grad_weight && !grad_bias) return;
  const ConvGeometry& g = plan.pair_conv.geometry;
  const int64_t hw = g.out_size();
  const DType dt = grad_output.dtype();
  Tensor routed = Tensor::empty({plan.batch, plan.pairs(), g.out_h(), g.out_w()}, dt);
  Tensor pair_gw = grad_weight ? zeros({plan.pairs(), plan.in_channels, g.kernel_h, g.kernel_w}, dt) : Tensor();
  Tensor pair_gb = grad_bias ? zeros({plan.pairs()}, dt) : Tensor();
  dispatch_floating(dt, "shared_max_conv2d backward", [&]<class T>() {
    route_gradient(grad_output.data<T>(), argmax.data(), routed.data<T>(), hw, plan);
  });
  connection_conv2d_backward(routed, input, pair_weight(weight, plan), grad_input, grad_weight ? &pair_gw : nullptr,
                             grad_bias ? &pair_gb : nullptr, plan.pair_conv);
  dispatch_floating(dt, "shared_max_conv2d backward", [&]<class T>() {
    fold_pairs(grad_weight ? pair_gw.data<T>() : nullptr, grad_bias ? pair_gb.data<T>() : nullptr,
               grad_weight ? grad_weight->data<T>() : nullptr, grad_bias ? grad_bias->data<T>() : nullptr,
               g.kernel_size(), plan);
  });
}

}  // namespace tapenet::kernels
