#include "framework/kernels/shared_conv.hpp"

#include <algorithm>
#include <limits>

#include "framework/kernels/plane_simd.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

using namespace plane;

// Where the kernel of each pair starts in the weight [O, 1, kh, kw]: readers[r] * kk.
std::vector<int64_t> weight_offsets(const SharedMaxPlan& p) {
  std::vector<int64_t> at;
  for (int64_t o : p.readers) at.push_back(o * p.geometry.kernel_size());
  return at;
}

// The plane layout (PlaneLayout) of a shared-kernel max convolution. The routed gradient G holds one row
// of n per pair, laid out on the same grid (zeros in the padding columns and beyond the grid), so a
// weight gradient is a dot product of a G row with a source row, and the input gradient of channel c is
// the adjoint of its source: rows cols[t] = sum over its pairs of w_o[t] G_(o,c), each added back at
// taps[t] (shifted: into the padded plane, whose interior is the gradient; unfolded: col2im).
template <class T>
struct Layout : PlaneLayout {
  const SharedMaxPlan& p;
  int64_t O;

  explicit Layout(const SharedMaxPlan& plan)
      : PlaneLayout(plan.geometry, plan.in_channels, plan.reader_begin, weight_offsets(plan), kLanes<T>),
        p(plan),
        O(plan.out_channels) {}

  // G [pairs, n] of one image: gy [O, out_h, out_w] routed to the pair of the winning channel. The rows
  // of one output are cleared just before its scatter, while they are in L1.
  void route_gradient(const T* gy, const int32_t* argmax, T* G) const {
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t c = 0; c < C; ++c)
        if (p.pair_of[o * C + c] >= 0) std::fill_n(G + p.pair_of[o * C + c] * n, n, T(0));
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const int64_t q = (o * out_h + oh) * out_w + ow;
          G[p.pair_of[o * C + argmax[q]] * n + oh * grid_w + ow] = gy[q];
        }
    }
  }
};

template <class T>
void forward_impl(const T* x, const T* w, const T* bias, T* y, int32_t* argmax, const SharedMaxPlan& p) {
  const Layout<T> lay(p);
  const int64_t C = lay.C, O = lay.O, kk = lay.kk, n = lay.n, hw = lay.hw;
  // panel[r * kk + t] = w[readers[r], t]; row[r] = readers[r] * n: the running maximum of pair r's output.
  const std::vector<T> panel = lay.pair_panel(w);
  std::vector<int64_t> row;
  for (int64_t o : p.readers) row.push_back(o * n);
  const int64_t work = std::max<int64_t>(1, p.pairs() * kk * n);
  parallel_for(0, p.batch, std::max<int64_t>(1, (1 << 16) / work), [&](int64_t b, int64_t e) {
    T* src = scratch<T>(lay.src_size() + 2 * O * n);
    T* best = src + lay.src_size();
    T* arg = best + O * n;
    for (int64_t img = b; img < e; ++img) {
      lay.prepare_source(x + img * C * lay.g.in_size(), src);
      std::fill(best, best + O * n, -std::numeric_limits<T>::infinity());
      for (int64_t o = 0; o < O; ++o) std::fill(arg + o * n, arg + (o + 1) * n, static_cast<T>(p.first_channel[o]));
      // channels in ascending order: ties keep the first
      lay.source_products(micro_kernels<T>().max, panel.data(), src, best, row.data(), arg);
      for (int64_t o = 0; o < O; ++o)
        for (int64_t oh = 0; oh < lay.out_h; ++oh) {
          const T* bo = best + o * n + oh * lay.grid_w;
          const T* ao = arg + o * n + oh * lay.grid_w;
          T* yo = y + (img * O + o) * hw + oh * lay.out_w;
          int32_t* io = argmax + (img * O + o) * hw + oh * lay.out_w;
          for (int64_t ow = 0; ow < lay.out_w; ++ow) {
            yo[ow] = bias ? bo[ow] + bias[o] : bo[ow];
            io[ow] = static_cast<int32_t>(ao[ow]);
          }
        }
    }
  });
}

// gx of one image from its G, per used channel c: cols[t] = sum over the pairs (o, c) of w_o[t] G_(o,c)
// (the rows kernel, one row per tap), folded back into gx: shifted, cols[t] is added to the padded plane
// at taps[t] and the plane's interior to gx; unfolded, col2im. work holds kk * n + src_channel elements.
// Accumulates into gx.
template <class T>
void input_gradient(const Layout<T>& lay, const std::vector<T>& panel, const std::vector<int64_t>& g_rows, const T* G,
                    T* work, T* gx) {
  const ConvGeometry& g = lay.g;
  const int64_t kk = lay.kk, n = lay.n;
  T* cols = work;
  T* padded = work + kk * n;
  for (int64_t c = 0; c < lay.C; ++c) {
    if (!lay.channel_used(c)) continue;
    lay.channel_columns(c, panel.data(), G, g_rows.data(), cols);
    if (!lay.shifted) {
      col2im(cols, n, g, c, c + 1, gx);
      continue;
    }
    std::fill(padded, padded + lay.src_channel, T(0));
    for (int64_t t = 0; t < kk; ++t) {
      const T* from = cols + t * n;
      T* to = padded + lay.taps[t];
      for (int64_t j = 0; j < n; ++j) to[j] += from[j];
    }
    for (int64_t h = 0; h < g.in_h; ++h) {
      const T* from = padded + (h + g.pad_h) * lay.grid_w + g.pad_w;
      T* to = gx + (c * g.in_h + h) * g.in_w;
      for (int64_t v = 0; v < g.in_w; ++v) to[v] += from[v];
    }
  }
}

template <class T>
void backward_impl(const T* gy, const int32_t* argmax, const T* x, const T* w, T* gx, T* gw, T* gb,
                   const SharedMaxPlan& p) {
  const Layout<T> lay(p);
  const int64_t C = lay.C, O = lay.O, kk = lay.kk, n = lay.n, hw = lay.hw, in_size = lay.g.in_size();
  const int64_t pairs = p.pairs(), ipb = p.images_per_block;
  const int64_t blocks = (p.batch + ipb - 1) / ipb;
  // panel[r0 * kk + t * s + k] = w[readers[r0 + k], t] for the pairs r0 = reader_begin[c] .. r0 + s of
  // each channel c; g_rows[r] = r * n: the row of pair r in G.
  const std::vector<T> panel = gx ? lay.column_panel(w) : std::vector<T>();
  std::vector<int64_t> g_rows(pairs);
  for (int64_t r = 0; r < pairs; ++r) g_rows[r] = r * n;
  // Per block: the weight-gradient partial [pairs * kk] then the bias partial [O].
  const int64_t partial_size = pairs * kk + O;
  std::vector<T> partials(gw || gb ? blocks * partial_size : 0);
  parallel_for(0, blocks, 1, [&](int64_t b, int64_t e) {
    const int64_t g_image = pairs * n, src_image = lay.src_size();
    T* Gb = scratch<T>(ipb * (g_image + src_image) + kk * n + lay.src_channel);
    T* srcb = Gb + ipb * g_image;
    T* work = srcb + ipb * src_image;
    for (int64_t blk = b; blk < e; ++blk) {
      const int64_t n0 = blk * ipb, nb = std::min(ipb, p.batch - n0);
      for (int64_t i = 0; i < nb; ++i) {
        if (gx || gw) lay.route_gradient(gy + (n0 + i) * O * hw, argmax + (n0 + i) * O * hw, Gb + i * g_image);
        if (gw) lay.prepare_source(x + (n0 + i) * C * in_size, srcb + i * src_image);
        if (gx) input_gradient(lay, panel, g_rows, Gb + i * g_image, work, gx + (n0 + i) * C * in_size);
      }
      T* part = gw || gb ? partials.data() + blk * partial_size : nullptr;
      // gw_(o,c)[t] = <G_(o,c), src_c[t]> over the block's images
      if (gw) lay.weight_gradient(nb, Gb, g_image, g_rows.data(), srcb, part);
      if (gb)
        for (int64_t o = 0; o < O; ++o) {  // gb[o] += sum of gy[o], one lane per column
          T acc[kLanes<T>] = {};
          for (int64_t i = 0; i < nb; ++i) {
            const T* go = gy + ((n0 + i) * O + o) * hw;
            int64_t q = 0;
            for (; q + kLanes<T> <= hw; q += kLanes<T>)
              for (int64_t l = 0; l < kLanes<T>; ++l) acc[l] += go[q + l];
            for (int64_t l = 0; q + l < hw; ++l) acc[l] += go[q + l];
          }
          part[pairs * kk + o] = pairwise_total(acc);
        }
    }
  });
  lay.add_partials(partials.data(), blocks, O, gw, gb);
}

}  // namespace

SharedMaxPlan plan_shared_max_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels,
                                     const std::vector<bool>& connected, const ConvGeometry& geometry) {
  SharedMaxPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.geometry = geometry;
  p.pair_of.assign(out_channels * in_channels, -1);
  p.first_channel.assign(out_channels, -1);
  p.reader_begin.assign(in_channels + 1, 0);
  for (int64_t c = 0; c < in_channels; ++c) {
    for (int64_t o = 0; o < out_channels; ++o)
      if (connected[o * in_channels + c]) {
        p.pair_of[o * in_channels + c] = p.pairs();
        p.readers.push_back(o);
        if (p.first_channel[o] < 0) p.first_channel[o] = c;
      }
    p.reader_begin[c + 1] = p.pairs();
  }
  // Per image: a routed-gradient row per pair and a source per channel, each about a padded plane.
  const int64_t padded = (geometry.in_h + 2 * geometry.pad_h) * (geometry.in_w + 2 * geometry.pad_w);
  p.images_per_block = plane::images_per_block((p.pairs() + in_channels) * padded);
  return p;
}

void shared_max_conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                               std::vector<int32_t>& argmax, const SharedMaxPlan& plan) {
  argmax.resize(static_cast<std::size_t>(output.numel()));
  dispatch_floating(input.dtype(), "shared_max_conv2d", [&]<class T>() {
    forward_impl(input.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr, output.data<T>(),
                 argmax.data(), plan);
  });
}

void shared_max_conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                                const std::vector<int32_t>& argmax, Tensor* grad_input, Tensor* grad_weight,
                                Tensor* grad_bias, const SharedMaxPlan& plan) {
  if (!grad_input && !grad_weight && !grad_bias) return;
  dispatch_floating(grad_output.dtype(), "shared_max_conv2d backward", [&]<class T>() {
    backward_impl(grad_output.data<T>(), argmax.data(), input.data<T>(), weight.data<T>(),
                  grad_input ? grad_input->data<T>() : nullptr, grad_weight ? grad_weight->data<T>() : nullptr,
                  grad_bias ? grad_bias->data<T>() : nullptr, plan);
  });
}

}  // namespace tapenet::kernels
