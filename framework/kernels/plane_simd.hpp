#pragma once
/// \file Per-image shifted-plane micro-kernels and their run-time ISA dispatch (internal to
/// framework/kernels): the machinery shared by the connection-table convolution (connection_conv.cpp)
/// and the shared-kernel max convolution (shared_conv.cpp).
///
/// Both see one image's input channel c as a "source" whose row for kernel tap t is read at the n
/// columns of an output grid (PlaneLayout), and do their arithmetic over (output, input) pairs with two
/// register-blocked micro-kernels: the rows kernel (sums of tap rows weighted by a panel of kernel
/// values) and the dot kernel (dot products of gradient rows with source rows). The micro-kernels are
/// written once over GCC vector extensions and compiled for AVX2 + FMA (32-byte vectors) and for the
/// baseline ISA (16-byte vectors); micro_kernels<T>() picks one set once by the CPU's features (the two
/// round differently, so results are bit-identical on one CPU only). Instantiated for float and double.
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "framework/kernels/im2col.hpp"

namespace tapenet::kernels::plane {

/// Largest register blocks of the micro-kernels: rows of the rows kernel; gradient rows x source rows
/// of the dot kernel (which keeps 12 of the 16 vector registers as accumulators).
constexpr int kMaxRows = 6;
constexpr int kMaxDotGradRows = 3;
constexpr int kMaxDotSourceRows = 4;

/// Elements per 32 bytes. Buffers are laid out in units of kLanes<T>, a multiple of the vector lanes of
/// both ISAs.
template <class T>
constexpr int64_t kLanes = 32 / sizeof(T);

/// Rows kernel: for the M rows m < M, at columns [0, n) (n a multiple of kLanes<T>),
///   r_m = sum_{t < K} a[m * K + t] * (b + b_off[t])
/// then, by the table it is taken from (MicroKernels):
///   assign:      y + y_off[m] = r_m
///   accumulate:  y + y_off[m] += r_m   (y's old value is the first term of the sum)
///   max:         the running maximum (y + y_off[m], arg + y_off[m]) meets r_m of channel `channel`:
///                r_m wins where it is larger, or NaN while the maximum is not (so the first NaN stays),
///                and its arg becomes channel.
/// arg and channel are read by max only. Single-threaded: concurrent calls must write disjoint rows.
template <class T>
using RowsFn = void (*)(int64_t K, const T* a, const T* b, const int64_t* b_off, T* y, const int64_t* y_off,
                        int64_t n, T* arg, T channel);
/// Dot kernel dot[MO][MK]: out[mo * MK + mk] = sum over images i < images and columns j < n of
///   g[i * g_stride + g_off[mo] + j] * x[i * x_stride + x_off[mk] + j]
/// (MO gradient rows against MK source rows; n a multiple of kLanes<T>). Assigns out. Single-threaded.
template <class T>
using DotFn = void (*)(int64_t images, int64_t n, const T* g, int64_t g_stride, const int64_t* g_off, const T* x,
                       int64_t x_stride, const int64_t* x_off, T* out);

/// The micro-kernels of one ISA, indexed by their block sizes (index 0 unused).
template <class T>
struct MicroKernels {
  RowsFn<T> assign[kMaxRows + 1] = {};
  RowsFn<T> accumulate[kMaxRows + 1] = {};
  RowsFn<T> max[kMaxRows + 1] = {};
  DotFn<T> dot[kMaxDotGradRows + 1][kMaxDotSourceRows + 1] = {};
};

/// The micro-kernels for this CPU (AVX2 + FMA when it has both, else the baseline), chosen once.
template <class T>
const MicroKernels<T>& micro_kernels();

/// Elements of buffers per weight-gradient block that the plans aim for (the block's buffers stay in
/// L2), and at most this many images per block (fewer images = more blocks to spread).
constexpr int64_t kBlockScratchBudget = 1 << 17;
constexpr int64_t kMaxImagesPerBlock = 8;

/// Images per partial sum of the weight and bias gradients when one image takes `per_image` elements
/// of the block's buffers (at least 1).
inline int64_t images_per_block(int64_t per_image) {
  return std::clamp<int64_t>(kBlockScratchBudget / std::max<int64_t>(1, per_image), 1, kMaxImagesPerBlock);
}

/// n rounded up to a multiple of m.
inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

/// Sum of a[0, N) in a fixed pairwise order (overwrites a).
template <class T, int64_t N>
[[gnu::always_inline]] inline T pairwise_total(T (&a)[N]) {
  for (int64_t w = N / 2; w >= 1; w /= 2)
    for (int64_t i = 0; i < w; ++i) a[i] += a[i + w];
  return a[0];
}

/// Splits [0, n) into ceil(n / max_size) consecutive blocks of nearly equal size; calls f(begin, size).
template <class F>
void for_each_block(int64_t n, int64_t max_size, F&& f) {
  const int64_t count = (n + max_size - 1) / max_size;
  for (int64_t b = 0, begin = 0; b < count; ++b) {
    const int64_t size = n / count + (b < n % count ? 1 : 0);
    f(begin, size);
    begin += size;
  }
}

/// A per-thread buffer of at least n elements, reused across calls (contents unspecified). One buffer
/// per thread and element type, shared by every kernel that includes this header: the pointer is valid
/// until the thread's next call, so a kernel takes one buffer per parallel_for body and carves it up.
template <class T>
T* scratch(int64_t n) {
  thread_local std::vector<T> buffer;
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
  return buffer.data();
}

/// How one image is laid out for the micro-kernels. The input of channel c is a "source" whose row for
/// tap t starts at src + c * src_channel + taps[t], read at the n columns of an output grid with rows
/// grid_w apart (columns ow >= out_w of a grid row are padding, computed and dropped):
/// - shifted (stride 1): the zero-padded image itself, rows Wp = W + 2 pad_w apart, and
///   taps[t] = i dilation_h Wp + j dilation_w: no unfolding at all; the grid is out_h x Wp.
/// - unfolded (other strides): im2col rows, taps[t] = t * n; the grid is out_h x out_w.
/// The pairs of input channel c are reader_begin[c] .. reader_begin[c + 1] (ascending pair indices, as in
/// both plans); a channel without pairs is never read. Pair r's kernel [kk] starts at w + weight_at[r] in
/// the weight. The methods are single-threaded and write only the buffers they are given.
struct PlaneLayout {
  const ConvGeometry& g;
  const std::vector<int64_t>& reader_begin;
  std::vector<int64_t> weight_at;
  bool shifted;
  int64_t C, kk, hw, out_h, out_w, grid_w, n, src_channel;
  std::vector<int64_t> taps;
  std::vector<int64_t> col_rows;  // t * n: the rows of a [kk, n] column buffer

  /// The layout of `in_channels` input channels for vectors of `lanes` elements.
  PlaneLayout(const ConvGeometry& geometry, int64_t in_channels, const std::vector<int64_t>& reader_begin,
              std::vector<int64_t> weight_at, int64_t lanes);

  /// Number of connected (output, input) pairs.
  int64_t pairs() const { return static_cast<int64_t>(weight_at.size()); }
  /// Elements of the sources of one image.
  int64_t src_size() const { return C * src_channel; }
  /// Whether input channel c has a pair.
  bool channel_used(int64_t c) const { return reader_begin[c + 1] > reader_begin[c]; }

  /// The sources of the used channels of one image [C, in_h, in_w] into src [src_size()] (assigns; the
  /// sources of unused channels are left as they were).
  template <class T>
  void prepare_source(const T* image, T* src) const;

  /// panel[r * kk + t] = w[weight_at[r] + t] for every pair r: the panel of source_products.
  template <class T>
  std::vector<T> pair_panel(const T* w) const;

  /// panel[r0 * kk + t * s + k] = w[weight_at[r0 + k] + t] for the pairs r0 .. r0 + s of each channel:
  /// the panel of channel_columns.
  template <class T>
  std::vector<T> column_panel(const T* w) const;

  /// For each channel c in ascending order and each of its pairs r, in blocks of kMaxRows pairs:
  ///   rows[size](kk, panel + r * kk, source of c in src, taps, y, y_rows + r, n, arg, c)
  /// i.e. row y_rows[r] of y meets sum_t panel[r * kk + t] * src_c[t] as `rows` does (accumulate or
  /// max; channel c is passed as a T).
  template <class T>
  void source_products(const RowsFn<T>* rows, const T* panel, const T* src, T* y, const int64_t* y_rows,
                       std::type_identity_t<T>* arg) const;

  /// The column buffer of a used channel c: cols + col_rows[t] = sum over the pairs r0 + k of c (k < s)
  /// of panel[r0 * kk + t * s + k] * (G + g_rows[r0 + k]), over n columns. Assigns.
  template <class T>
  void channel_columns(int64_t c, const T* panel, const T* G, const int64_t* g_rows, T* cols) const;

  /// The weight-gradient partial of a block of `images` images: part[r * kk + t] = sum over the images
  /// and the n columns of G row g_rows[r] (images g_image apart) times source row t of the pair's
  /// channel (src as prepare_source lays it out, images src_size() apart), for every pair r. Assigns.
  template <class T>
  void weight_gradient(int64_t images, const T* G, int64_t g_image, const int64_t* g_rows, const T* src,
                       T* part) const;

  /// Adds the partials of `blocks` blocks of images in block order, so that the sums do not depend on
  /// how the blocks were spread over threads. Block b's partial starts at partials + b * (pairs() * kk +
  /// outputs): the weight gradient part[r * kk + t] (as weight_gradient assigns it), then the bias
  /// gradient [outputs]. gw[weight_at[r] + t] += part[r * kk + t]; gb[o] += part[pairs() * kk + o]
  /// (each when non-null). Accumulates.
  template <class T>
  void add_partials(const T* partials, int64_t blocks, int64_t outputs, T* gw, T* gb) const;
};

}  // namespace tapenet::kernels::plane
