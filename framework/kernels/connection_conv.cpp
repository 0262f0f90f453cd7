#include "framework/kernels/connection_conv.hpp"

#include <algorithm>

#include "framework/kernels/plane_simd.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

using namespace plane;

// Where the kernel of each pair starts in the weight, for the pairs r of each channel c in order.
std::vector<int64_t> weight_offsets(const ConnectionConvPlan& p) {
  std::vector<int64_t> at(p.connections());
  for (int64_t c = 0; c < p.in_channels; ++c)
    for (int64_t r = p.reader_begin[c]; r < p.reader_begin[c + 1]; ++r) at[r] = p.weight_offset(p.readers[r], c);
  return at;
}

// The plane layout (PlaneLayout) of a connection-table convolution. The output gradient is laid out on
// the same grid ("G": zeros in the padding columns and in a margin before the grid), so a weight
// gradient is a dot product of G rows with source rows.
template <class T>
struct Layout : PlaneLayout {
  const ConnectionConvPlan& p;
  int64_t Co, margin, gs, gx_begin, gx_n;
  std::vector<int64_t> back_taps;  // -taps[t] (shifted input gradient)
  std::vector<int64_t> out_rows;   // readers[r] * n: rows of the per-image output buffer
  std::vector<int64_t> g_rows;     // readers[r] * gs + margin: rows of G
  std::vector<int64_t> gx_rows;    // shifted: inputs[r] * gx_n (unfolded: col_rows)

  explicit Layout(const ConnectionConvPlan& plan)
      : PlaneLayout(plan.geometry, plan.in_channels, plan.reader_begin, weight_offsets(plan), kLanes<T>),
        p(plan),
        Co(plan.out_channels) {
    constexpr int64_t L = kLanes<T>;
    if (shifted) {
      margin = taps.back();
      gx_begin = g.pad_h * grid_w;
      gx_n = round_up(g.in_h * grid_w, L);
    } else {
      margin = 0;
      gx_begin = 0;
      gx_n = n;
    }
    gs = round_up(margin + std::max(gx_begin + gx_n, n), L);
    for (int64_t t : taps) back_taps.push_back(-t);
    for (int64_t o : p.readers) {
      out_rows.push_back(o * n);
      g_rows.push_back(o * gs + margin);
    }
    if (shifted)
      for (int64_t c : p.inputs) gx_rows.push_back(c * gx_n);
  }

  // G [Co, gs] of one image's output gradient [Co, out_h, out_w].
  void prepare_gradient(const T* gy, T* G) const {
    std::fill(G, G + Co * gs, T(0));
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t oh = 0; oh < out_h; ++oh)
        std::copy_n(gy + (o * out_h + oh) * out_w, out_w, G + o * gs + margin + oh * grid_w);
  }
};

template <class T>
void forward_impl(const T* x, const T* w, const T* bias, T* y, const ConnectionConvPlan& p) {
  const Layout<T> lay(p);
  const int64_t C = lay.C, Co = lay.Co, kk = lay.kk, n = lay.n;
  // panel[r * kk + t] = W[readers[r], c, t] for the readers r of each channel c.
  const std::vector<T> panel = lay.pair_panel(w);
  const int64_t work = std::max<int64_t>(1, p.connections() * kk * n);
  parallel_for(0, p.batch, std::max<int64_t>(1, (1 << 16) / work), [&](int64_t b, int64_t e) {
    T* src = scratch<T>(lay.src_size() + Co * n);
    T* out = src + lay.src_size();
    for (int64_t img = b; img < e; ++img) {
      lay.prepare_source(x + img * C * lay.g.in_size(), src);
      for (int64_t o = 0; o < Co; ++o) std::fill(out + o * n, out + (o + 1) * n, bias ? bias[o] : T(0));
      // y[S_c] += W[S_c, c] x source_c
      lay.source_products(micro_kernels<T>().accumulate, panel.data(), src, out, lay.out_rows.data(), nullptr);
      for (int64_t o = 0; o < Co; ++o)
        for (int64_t oh = 0; oh < lay.out_h; ++oh)
          std::copy_n(out + o * n + oh * lay.grid_w, lay.out_w, y + ((img * Co + o) * lay.out_h + oh) * lay.out_w);
    }
  });
}

// gx of one image from its G: shifted mode gathers per output o, gx_pad[inputs_of(o)] += W[o, .] * G[o]
// shifted back by each tap; unfolded mode forms gcols_c = W[S_c, c]^T x G[S_c] and folds it (col2im).
// Accumulates into gx.
template <class T>
void input_gradient(const Layout<T>& lay, const std::vector<T>& panel, const T* G, T* work, T* gx) {
  const ConnectionConvPlan& p = lay.p;
  const ConvGeometry& g = lay.g;
  const int64_t C = lay.C, kk = lay.kk;
  if (lay.shifted) {
    const RowsFn<T>* accumulate = micro_kernels<T>().accumulate;
    std::fill(work, work + C * lay.gx_n, T(0));
    for (int64_t o = 0; o < lay.Co; ++o) {
      const int64_t i0 = p.input_begin[o];
      for_each_block(p.input_begin[o + 1] - i0, kMaxRows, [&](int64_t begin, int64_t size) {
        accumulate[size](kk, panel.data() + (i0 + begin) * kk, G + o * lay.gs + lay.margin + lay.gx_begin,
                         lay.back_taps.data(), work, lay.gx_rows.data() + i0 + begin, lay.gx_n, nullptr, T(0));
      });
    }
    for (int64_t c = 0; c < C; ++c) {
      if (!p.channel_used(c)) continue;
      for (int64_t h = 0; h < g.in_h; ++h) {
        const T* src = work + c * lay.gx_n + h * lay.grid_w + g.pad_w;
        T* dst = gx + (c * g.in_h + h) * g.in_w;
        for (int64_t v = 0; v < g.in_w; ++v) dst[v] += src[v];
      }
    }
    return;
  }
  for (int64_t c = 0; c < C; ++c) {
    if (!p.channel_used(c)) continue;
    lay.channel_columns(c, panel.data(), G, lay.g_rows.data(), work + c * kk * lay.n);
    col2im(work + c * kk * lay.n, lay.n, g, c, c + 1, gx);
  }
}

template <class T>
void backward_impl(const T* gy, const T* x, const T* w, T* gx, T* gw, T* gb, const ConnectionConvPlan& p) {
  const Layout<T> lay(p);
  const int64_t C = lay.C, Co = lay.Co, kk = lay.kk, n = lay.n, in_size = lay.g.in_size();
  const int64_t conn = p.connections(), ipb = p.images_per_block;
  const int64_t blocks = (p.batch + ipb - 1) / ipb;
  // Shifted: panel[input_begin[o] * kk + m * kk + t] = W[o, inputs[input_begin[o] + m], t].
  // Unfolded: panel[reader_begin[c] * kk + k * |S_c| + t] = W[readers[reader_begin[c] + t], c, k].
  std::vector<T> panel;
  if (gx && lay.shifted) {
    panel.resize(conn * kk);
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t r = p.input_begin[o]; r < p.input_begin[o + 1]; ++r)
        std::copy_n(w + p.weight_offset(o, p.inputs[r]), kk, panel.data() + r * kk);
  } else if (gx) {
    panel = lay.column_panel(w);
  }
  // Per block: the weight-gradient partial [conn * kk] (reader-major) then the bias partial [Co].
  const int64_t partial_size = conn * kk + Co;
  std::vector<T> partials(gw || gb ? blocks * partial_size : 0);
  parallel_for(0, blocks, 1, [&](int64_t b, int64_t e) {
    const int64_t g_image = Co * lay.gs, src_image = lay.src_size();
    const int64_t gx_work = lay.shifted ? C * lay.gx_n : C * kk * n;
    T* Gb = scratch<T>(ipb * (g_image + src_image) + gx_work);
    T* srcb = Gb + ipb * g_image;
    T* work = srcb + ipb * src_image;
    for (int64_t blk = b; blk < e; ++blk) {
      const int64_t n0 = blk * ipb, nb = std::min(ipb, p.batch - n0);
      for (int64_t i = 0; i < nb; ++i) {
        lay.prepare_gradient(gy + (n0 + i) * Co * lay.hw, Gb + i * g_image);
        if (gw) lay.prepare_source(x + (n0 + i) * C * in_size, srcb + i * src_image);
        if (gx) input_gradient(lay, panel, Gb + i * g_image, work, gx + (n0 + i) * C * in_size);
      }
      T* part = gw || gb ? partials.data() + blk * partial_size : nullptr;
      // gW[S_c, c] += G[S_c] x source_c^T over the block's images
      if (gw) lay.weight_gradient(nb, Gb, g_image, lay.g_rows.data(), srcb, part);
      if (gb)
        for (int64_t o = 0; o < Co; ++o) {  // gb[o] += sum of G[o] (zero outside the grid), one lane per column
          T acc[kLanes<T>] = {};
          for (int64_t i = 0; i < nb; ++i) {
            const T* row = Gb + i * g_image + o * lay.gs + lay.margin;
            for (int64_t q = 0; q < n; q += kLanes<T>)
              for (int64_t l = 0; l < kLanes<T>; ++l) acc[l] += row[q + l];
          }
          part[conn * kk + o] = pairwise_total(acc);
        }
    }
  });
  lay.add_partials(partials.data(), blocks, Co, gw, gb);
}

}  // namespace

ConnectionConvPlan plan_connection_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                          const std::vector<bool>& connected, const ConvGeometry& geometry) {
  ConnectionConvPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.geometry = geometry;
  p.input_begin.assign(out_channels + 1, 0);
  for (int64_t o = 0; o < out_channels; ++o) {
    for (int64_t c = 0; c < in_channels; ++c)
      if (connected[o * in_channels + c]) p.inputs.push_back(c);
    p.input_begin[o + 1] = static_cast<int64_t>(p.inputs.size());
  }
  p.reader_begin.assign(in_channels + 1, 0);
  for (int64_t c = 0; c < in_channels; ++c) {
    for (int64_t o = 0; o < out_channels; ++o)
      if (connected[o * in_channels + c]) p.readers.push_back(o);
    p.reader_begin[c + 1] = static_cast<int64_t>(p.readers.size());
  }
  p.images_per_block = plane::images_per_block(in_channels * geometry.kernel_size() * geometry.out_size());
  p.weight_in = in_channels;
  return p;
}

void connection_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               const ConnectionConvPlan& plan) {
  dispatch_floating(input.dtype(), "connection_conv2d", [&]<class T>() {
    forward_impl(input.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr, output.data<T>(), plan);
  });
}

void connection_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias,
                                const ConnectionConvPlan& plan) {
  if (!grad_input && !grad_weight && !grad_bias) return;
  dispatch_floating(grad_output.dtype(), "connection_conv2d backward", [&]<class T>() {
    backward_impl(grad_output.data<T>(), input.data<T>(), weight.data<T>(),
                  grad_input ? grad_input->data<T>() : nullptr, grad_weight ? grad_weight->data<T>() : nullptr,
                  grad_bias ? grad_bias->data<T>() : nullptr, plan);
  });
}

}  // namespace tapenet::kernels
