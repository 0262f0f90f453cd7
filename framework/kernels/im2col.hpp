#pragma once
/// \file im2col / col2im: unfolding image patches into GEMM-ready column matrices, and folding them back.
///
/// Shared by every convolution that lowers to GEMM (Conv2d, ConnectionConv2d, SharedConv2d).
///
/// Column layout. For the channels [c_begin, c_end) of an image and a window geometry g, the column
/// matrix has `(c_end - c_begin) * g.kernel_h * g.kernel_w` rows and `g.out_size()` columns per image:
/// row `((c - c_begin) * kernel_h + i) * kernel_w + j`, column `oh * out_w + ow` holds
/// `image[c][oh * stride_h - pad_h + i * dilation_h][ow * stride_w - pad_w + j * dilation_w]`, or 0 in the
/// padding. The rows of one channel are therefore contiguous, and so are the rows of a channel range
/// (a conv group). This is the row order of a PyTorch weight `[out, in, kh, kw]` viewed as `[out, in*kh*kw]`,
/// so `weight_2d x cols` is the convolution.
///
/// The single-image functions run on the calling thread (safe inside a parallel_for task). The batch
/// functions run under parallel_for over (image, channel) planes; each task writes disjoint memory, so
/// results are bit-identical for any thread count. im2col assigns; col2im accumulates (`+=`).
/// Instantiated for float and double.
#include <algorithm>
#include <cstdint>

namespace tapenet::kernels {

/// Window geometry of a 2-D convolution over one image plane (PyTorch's conv2d arguments).
/// Validity (positive extents, strides and dilations, non-negative padding, out_h/out_w >= 1) is the
/// caller's job.
struct ConvGeometry {
  int64_t in_h = 1, in_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;

  /// floor((in + 2 pad - dilation (kernel - 1) - 1) / stride) + 1; <= 0 when the window does not fit.
  int64_t out_h() const { return out_extent(in_h, kernel_h, stride_h, pad_h, dilation_h); }
  int64_t out_w() const { return out_extent(in_w, kernel_w, stride_w, pad_w, dilation_w); }
  /// out_h * out_w: the columns per image.
  int64_t out_size() const { return out_h() * out_w(); }
  /// kernel_h * kernel_w: the rows per channel.
  int64_t kernel_size() const { return kernel_h * kernel_w; }
  /// in_h * in_w: the elements of one input plane.
  int64_t in_size() const { return in_h * in_w; }

  /// The output extent of one dimension (0 when the dilated kernel does not fit the padded input).
  static int64_t out_extent(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
    const int64_t span = in + 2 * p - d * (k - 1) - 1;
    return span < 0 ? 0 : span / s + 1;
  }
};

/// One kernel tap (i, j) of a geometry. The input pixel read by output (oh, ow) is
/// (oh * stride_h + h_offset, ow * stride_w + w_offset); it lies inside the image exactly for
/// oh in [h_lo, h_hi) and ow in [w_lo, w_hi) (outside those ranges the tap reads padding).
struct ConvTap {
  int64_t index;  ///< i * kernel_w + j: the row of the tap within a channel's column rows
  int64_t h_offset, w_offset;
  int64_t h_lo, h_hi, w_lo, w_hi;
};

/// Calls visit(const ConvTap&) for every tap of `g`, row-major over (i, j). The building block of
/// im2col, col2im and direct convolution loops.
template <class Visit>
void for_each_tap(const ConvGeometry& g, Visit&& visit) {
  // ceil(a / b) for b > 0 and any sign of a.
  const auto ceil_div = [](int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); };
  // Outputs o in [lo, hi) with o * stride + offset in [0, in).
  const auto valid = [&](int64_t offset, int64_t stride, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
    lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, out);
    hi = std::clamp<int64_t>(ceil_div(in - offset, stride), lo, out);
  };
  const int64_t out_h = g.out_h(), out_w = g.out_w();
  ConvTap t{};
  for (int64_t i = 0; i < g.kernel_h; ++i) {
    t.h_offset = i * g.dilation_h - g.pad_h;
    valid(t.h_offset, g.stride_h, g.in_h, out_h, t.h_lo, t.h_hi);
    for (int64_t j = 0; j < g.kernel_w; ++j) {
      t.index = i * g.kernel_w + j;
      t.w_offset = j * g.dilation_w - g.pad_w;
      valid(t.w_offset, g.stride_w, g.in_w, out_w, t.w_lo, t.w_hi);
      visit(static_cast<const ConvTap&>(t));
    }
  }
}

/// Unfolds channels [c_begin, c_end) of one image `image` [C, in_h, in_w] into `cols` (layout above),
/// consecutive rows `ld` elements apart (ld >= g.out_size(); a larger ld lets several images share one
/// matrix side by side). Assigns. Calling thread only.
template <class T>
void im2col(const T* image, const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* cols, int64_t ld);

/// The adjoint of im2col: image[c] += every column entry that reads it, for c in [c_begin, c_end).
/// Accumulates. Calling thread only.
template <class T>
void col2im(const T* cols, int64_t ld, const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* image);

/// im2col of a batch `input` [batch, channels, in_h, in_w]: the column matrix of image n starts at
/// `cols + n * image_stride`, its rows `ld` apart. Two layouts are common:
/// - stacked, one matrix per image [batch][rows][out_size]: image_stride = rows * out_size, ld = out_size;
/// - side by side, one wide matrix [rows][batch * out_size]: image_stride = out_size, ld = batch * out_size.
/// Assigns. Parallel over (image, channel).
template <class T>
void im2col_batch(const T* input, int64_t batch, int64_t channels, const ConvGeometry& g, int64_t c_begin,
                  int64_t c_end, T* cols, int64_t image_stride, int64_t ld);

/// The adjoint of im2col_batch (same layout arguments): grad_input [batch, channels, in_h, in_w] += the
/// folded columns. Accumulates. Parallel over (image, channel).
template <class T>
void col2im_batch(const T* cols, int64_t image_stride, int64_t ld, int64_t batch, int64_t channels,
                  const ConvGeometry& g, int64_t c_begin, int64_t c_end, T* grad_input);

}  // namespace tapenet::kernels
