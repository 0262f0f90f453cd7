#include "framework/kernels/conv2d.hpp"

#include <algorithm>
#include <vector>

#include "framework/blas.hpp"
#include "framework/parallel.hpp"

namespace tapenet::kernels {
namespace {

// Elements per task below which the bias-gradient loops stay serial.
constexpr int64_t kPlaneGrain = 1 << 14;

int64_t planes_per_task(int64_t work_per_plane) {
  return std::max<int64_t>(1, kPlaneGrain / std::max<int64_t>(1, work_per_plane));
}

// sum_{q < n} f(q) in eight independent lanes (vectorisable without -ffast-math; order fixed by n).
template <class T, class F>
T lane_sum(int64_t n, F f) {
  T acc[8] = {};
  int64_t q = 0;
  for (; q + 8 <= n; q += 8)
    for (int k = 0; k < 8; ++k) acc[k] += f(q + k);
  T tail = 0;
  for (; q < n; ++q) tail += f(q);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// ---- gemm algorithm ----
// The batch splits into blocks of p.chunk images, the parallel_for tasks, and a block into runs of up
// to p.gemm_images images whose columns lie side by side, [groups * K, run * hw], and share one GEMM per
// group. A task unfolds, multiplies and folds on its own thread (OpenBLAS always runs single-threaded,
// see blas.hpp), so no thread waits for another between im2col and GEMM. A run of one image reads
// and writes NCHW directly; longer runs (small images, whose per-image GEMMs would be too small) move
// y and gy between NCHW and a [C_out, run * hw] matrix in cache. With a single block (small batch) the
// runs go one after another on the calling thread: im2col and col2im parallel over (image, channel),
// GEMMs split over TBB by blas::gemm. Weight gradients of the blocks are summed in block order, so results
// depend on the plan only.

int64_t block_count(const Conv2dPlan& p) { return (p.batch + p.chunk - 1) / p.chunk; }

// Calls body(block, n0, n1, cols, mat, nested) for every run of up to `images` images [n0, n1), with
// scratch of the calling task: cols [rows, ld] and mat [C_out, ld] (empty when runs are single images).
// `nested` tells whether body runs inside a parallel task.
template <class T, class Body>
void for_each_run(const Conv2dPlan& p, int64_t images, int64_t rows, int64_t ld, Body body) {
  const auto run_blocks = [&](int64_t b, int64_t e, bool nested) {
    Tensor cols = Tensor::empty({rows, ld}, dtype_of<T>());
    Tensor mat = Tensor::empty({images > 1 ? p.out_channels : 0, ld}, dtype_of<T>());
    for (int64_t block = b; block < e; ++block) {
      const int64_t end = std::min(p.batch, (block + 1) * p.chunk);
      for (int64_t n0 = block * p.chunk; n0 < end; n0 += images)
        body(block, n0, std::min(end, n0 + images), cols.data<T>(), mat.data<T>(), nested);
    }
  };
  const int64_t blocks = block_count(p);
  if (blocks == 1) return run_blocks(0, 1, false);
  parallel_for(0, blocks, 1, [&](int64_t b, int64_t e) { run_blocks(b, e, true); });
}

// Calls for_each_run with the scratch of the gemm algorithm: columns of gemm_images images.
template <class T, class Body>
void for_each_gemm_run(const Conv2dPlan& p, Body body) {
  const int64_t images = p.gemm_images, ld = images * p.geometry.out_size();
  for_each_run<T>(p, images, p.in_channels * p.geometry.kernel_size(), ld, body);
}

// im2col of images [n0, n1) of x [batch, C, in_h, in_w] side by side: cols [C * kh * kw, (n1 - n0) * hw].
template <class T>
void unfold_run(const T* x, int64_t n0, int64_t n1, int64_t C, const ConvGeometry& g, T* cols, bool nested) {
  const int64_t hw = g.out_size(), ld = (n1 - n0) * hw, image = C * g.in_size();
  if (!nested) return im2col_batch(x + n0 * image, n1 - n0, C, g, 0, C, cols, hw, ld);
  for (int64_t n = n0; n < n1; ++n) im2col(x + n * image, g, 0, C, cols + (n - n0) * hw, ld);
}

// col2im of side-by-side columns into images [n0, n1) of gx (accumulates).
template <class T>
void fold_run(const T* cols, int64_t n0, int64_t n1, int64_t C, const ConvGeometry& g, T* gx, bool nested) {
  const int64_t hw = g.out_size(), ld = (n1 - n0) * hw, image = C * g.in_size();
  if (!nested) return col2im_batch(cols, hw, ld, n1 - n0, C, g, 0, C, gx + n0 * image);
  for (int64_t n = n0; n < n1; ++n) col2im(cols + (n - n0) * hw, ld, g, 0, C, gx + n * image);
}

// `kept`: null, or where the columns of all images stay for the backward pass ([batch, groups * K, hw],
// each run's columns side by side from the run's first image on).
template <class T>
void forward_gemm(const T* x, const T* w, const T* bias, T* y, T* kept, const Conv2dPlan& p) {
  const int64_t Co = p.out_channels, cg = p.out_per_group(), K = p.group_rows(), hw = p.geometry.out_size();
  for_each_gemm_run<T>(p, [&](int64_t, int64_t n0, int64_t n1, T* scratch, T* mat, bool nested) {
    const int64_t ld = (n1 - n0) * hw;
    T* cols = kept ? kept + n0 * p.groups * K * hw : scratch;
    unfold_run(x, n0, n1, p.in_channels, p.geometry, cols, nested);
    T* out = n1 - n0 == 1 ? y + n0 * Co * hw : mat;  // [C_out, ld]
    if (bias)
      for (int64_t c = 0; c < Co; ++c) std::fill(out + c * ld, out + (c + 1) * ld, bias[c]);
    for (int64_t gi = 0; gi < p.groups; ++gi)  // y_g (+)= W_g cols_g
      blas::gemm(false, false, cg, ld, K, T(1), w + gi * cg * K, K, cols + gi * K * ld, ld, T(bias ? 1 : 0),
                 out + gi * cg * ld, ld);
    if (n1 - n0 > 1)
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t c = 0; c < Co; ++c) std::copy_n(mat + c * ld + (n - n0) * hw, hw, y + (n * Co + c) * hw);
  });
}

// `kept`: null, or the columns forward_gemm kept.
template <class T>
void backward_gemm(const T* gy, const T* x, const T* w, const T* kept, T* gx, T* gw, const Conv2dPlan& p) {
  const int64_t Co = p.out_channels, cg = p.out_per_group(), K = p.group_rows(), hw = p.geometry.out_size();
  const int64_t w_size = Co * K, blocks = block_count(p);
  // Weight gradient of each block (the caller's buffer itself when there is one block); the first run
  // of a block assigns its partial, the others add.
  Tensor partial = Tensor::empty({blocks > 1 && gw ? blocks : 0, w_size}, dtype_of<T>());
  for_each_gemm_run<T>(p, [&](int64_t block, int64_t n0, int64_t n1, T* cols, T* mat, bool nested) {
    const int64_t ld = (n1 - n0) * hw;
    const T* g_run = gy + n0 * Co * hw;  // [C_out, ld]
    if (n1 - n0 > 1) {
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t c = 0; c < Co; ++c) std::copy_n(gy + (n * Co + c) * hw, hw, mat + c * ld + (n - n0) * hw);
      g_run = mat;
    }
    if (gw) {
      T* gwb = blocks > 1 ? partial.data<T>() + block * w_size : gw;
      const T beta = blocks > 1 && n0 == block * p.chunk ? T(0) : T(1);
      const T* x_cols = kept ? kept + n0 * p.groups * K * hw : cols;
      if (!kept) unfold_run(x, n0, n1, p.in_channels, p.geometry, cols, nested);
      for (int64_t gi = 0; gi < p.groups; ++gi)  // gW_g += gy_g cols_g^T
        blas::gemm(false, true, cg, K, ld, T(1), g_run + gi * cg * ld, ld, x_cols + gi * K * ld, ld, beta,
                   gwb + gi * cg * K, K);
    }
    if (gx) {
      for (int64_t gi = 0; gi < p.groups; ++gi)  // gcols_g = W_g^T gy_g (overwrites the columns)
        blas::gemm(true, false, K, ld, cg, T(1), w + gi * cg * K, K, g_run + gi * cg * ld, ld, T(0), cols + gi * K * ld,
                   ld);
      fold_run(cols, n0, n1, p.in_channels, p.geometry, gx, nested);
    }
  });
  if (blocks > 1 && gw) {
    const T* pp = partial.data<T>();
    parallel_for(0, w_size, kPlaneGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        T sum = 0;
        for (int64_t block = 0; block < blocks; ++block) sum += pp[block * w_size + i];
        gw[i] += sum;
      }
    });
  }
}

// ---- gemm_rows algorithm (stride_h 1): one image per run ----
// U, the im2col of row_geometry(g), has rows (c, j) and columns (r, ow) for the in_h + 2 pad_h rows r of
// the padded input: U[(c, j)][r * out_w + ow] = x[c][r - pad_h][ow * stride_w - pad_w + j * dilation_w].
// Output row oh meets kernel row i at padded row oh + i * dilation_h, so kernel row i's columns are U from
// column i * dilation_h * out_w on, hw columns with U's row stride: a plain GEMM operand, no copy.

// Columns of C per GEMM call inside a parallel task. There the other threads are busy with their own
// blocks, so blas::gemm's split of a large product into panels for them only adds calls; panels of 64
// columns stay below its split size for these shapes and ran 10-15% faster than one call (the B panel
// stays in L2).
constexpr int64_t kTaskPanel = 64;

// blas::gemm, in panels of kTaskPanel columns of C when `nested` (each element of C is still computed by
// one call over the whole K, so the panels change no result).
template <class T>
void task_gemm(bool nested, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
               int64_t ldb, T beta, T* C, int64_t ldc) {
  const int64_t width = nested ? kTaskPanel : N;
  for (int64_t lo = 0; lo < N; lo += width)
    blas::gemm(ta, tb, M, std::min(width, N - lo), K, T(1), A, lda, B + (tb ? lo * ldb : lo), ldb, beta, C + lo, ldc);
}

// g with the kernel rows collapsed into one (stride_h is 1): its im2col is U.
ConvGeometry row_geometry(const ConvGeometry& g) {
  ConvGeometry r = g;
  r.kernel_h = 1;
  r.dilation_h = 1;
  return r;
}

// The weights [C_out, C_in / groups, kh, kw] regrouped by kernel row: [kh, C_out, C_in / groups * kw], so
// kernel row i of group gi is a [C_out / groups, C_in / groups * kw] matrix.
template <class T>
Tensor weight_rows(const T* w, const Conv2dPlan& p) {
  const int64_t kh = p.geometry.kernel_h, kw = p.geometry.kernel_w, Co = p.out_channels, cin = p.in_per_group();
  Tensor rows = Tensor::empty({kh, Co, cin * kw}, dtype_of<T>());
  T* out = rows.data<T>();
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t co = 0; co < Co; ++co)
      for (int64_t c = 0; c < cin; ++c)
        std::copy_n(w + ((co * cin + c) * kh + i) * kw, kw, out + ((i * Co + co) * cin + c) * kw);
  return rows;
}

template <class T>
void forward_rows(const T* x, const T* w, const T* bias, T* y, const Conv2dPlan& p) {
  const ConvGeometry& g = p.geometry;
  const ConvGeometry rg = row_geometry(g);
  const int64_t Co = p.out_channels, cg = p.out_per_group(), Kr = p.in_per_group() * g.kernel_w, hw = g.out_size();
  const int64_t ld = rg.out_size(), shift = g.dilation_h * g.out_w();
  const Tensor rows = weight_rows(w, p);
  const T* wr = rows.data<T>();
  for_each_run<T>(p, 1, p.in_channels * g.kernel_w, ld, [&](int64_t, int64_t n, int64_t, T* u, T*, bool nested) {
    unfold_run(x, n, n + 1, p.in_channels, rg, u, nested);
    T* out = y + n * Co * hw;
    if (bias)
      for (int64_t c = 0; c < Co; ++c) std::fill(out + c * hw, out + (c + 1) * hw, bias[c]);
    for (int64_t gi = 0; gi < p.groups; ++gi)
      for (int64_t i = 0; i < g.kernel_h; ++i)  // y_g (+)= W_g,i U_g shifted by kernel row i
        task_gemm(nested, false, false, cg, hw, Kr, wr + (i * Co + gi * cg) * Kr, Kr, u + gi * Kr * ld + i * shift, ld,
                  T(bias || i > 0 ? 1 : 0), out + gi * cg * hw, hw);
  });
}

template <class T>
void backward_rows(const T* gy, const T* x, const T* w, T* gx, T* gw, const Conv2dPlan& p) {
  const ConvGeometry& g = p.geometry;
  const ConvGeometry rg = row_geometry(g);
  const int64_t Co = p.out_channels, cg = p.out_per_group(), cin = p.in_per_group(), kh = g.kernel_h, kw = g.kernel_w;
  const int64_t Kr = cin * kw, hw = g.out_size(), ld = rg.out_size(), shift = g.dilation_h * g.out_w();
  const int64_t rows = p.in_channels * kw, w_size = Co * cin * g.kernel_size(), blocks = block_count(p);
  const Tensor w_rows = gx ? weight_rows(w, p) : Tensor();
  // Weight gradient of each block in weight_rows' layout; the first image of a block assigns, the others add.
  Tensor partial = Tensor::empty({gw ? blocks : 0, w_size}, dtype_of<T>());
  for_each_run<T>(p, 1, rows, ld, [&](int64_t block, int64_t n, int64_t, T* u, T*, bool nested) {
    const T* g_img = gy + n * Co * hw;  // [C_out, hw]
    if (gw) {
      unfold_run(x, n, n + 1, p.in_channels, rg, u, nested);
      T* gwb = partial.data<T>() + block * w_size;
      const T beta = n == block * p.chunk ? T(0) : T(1);
      for (int64_t gi = 0; gi < p.groups; ++gi)
        for (int64_t i = 0; i < kh; ++i)  // gW_g,i += gy_g (U_g shifted by kernel row i)^T
          task_gemm(nested, false, true, cg, Kr, hw, g_img + gi * cg * hw, hw, u + gi * Kr * ld + i * shift, ld, beta,
                    gwb + (i * Co + gi * cg) * Kr, Kr);
    }
    if (gx) {
      // gU = sum_i W_i^T gy at U's shifted columns (overwrites U): kernel row 0 assigns the first hw
      // columns, the rest starts from zero for the other rows to add to.
      for (int64_t r = 0; r < rows; ++r) std::fill(u + r * ld + hw, u + (r + 1) * ld, T(0));
      const T* wr = w_rows.data<T>();
      for (int64_t gi = 0; gi < p.groups; ++gi)
        for (int64_t i = 0; i < kh; ++i)
          task_gemm(nested, true, false, Kr, hw, cg, wr + (i * Co + gi * cg) * Kr, Kr, g_img + gi * cg * hw, hw,
                    T(i > 0 ? 1 : 0), u + gi * Kr * ld + i * shift, ld);
      fold_run(u, n, n + 1, p.in_channels, rg, gx, nested);
    }
  });
  if (!gw) return;
  // Sum the blocks in block order and scatter back to [C_out, C_in / groups, kh, kw].
  const T* pp = partial.data<T>();
  parallel_for(0, Co, planes_per_task(blocks * cin * g.kernel_size()), [&](int64_t b, int64_t e) {
    for (int64_t co = b; co < e; ++co)
      for (int64_t c = 0; c < cin; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t q = ((i * Co + co) * cin + c) * kw + j;
            T sum = 0;
            for (int64_t block = 0; block < blocks; ++block) sum += pp[block * w_size + q];
            gw[((co * cin + c) * kh + i) * kw + j] += sum;
          }
  });
}

// gb[c] += sum over images and positions of gy[n][c].
template <class T>
void backward_bias(const T* gy, const Conv2dPlan& p, T* gb) {
  const int64_t Co = p.out_channels, hw = p.geometry.out_size();
  parallel_for(0, Co, planes_per_task(p.batch * hw), [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      T acc = 0;
      for (int64_t n = 0; n < p.batch; ++n) {
        const T* plane = gy + (n * Co + c) * hw;
        acc += lane_sum<T>(hw, [&](int64_t q) { return plane[q]; });
      }
      gb[c] += acc;
    }
  });
}

}  // namespace

Conv2dPlan plan_conv2d(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups,
                       const ConvGeometry& geometry) {
  Conv2dPlan p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.groups = groups;
  p.geometry = geometry;
  if (groups > 1 && p.in_per_group() == 1) p.algorithm = Conv2dAlgorithm::direct;
  if (p.in_per_group() == 1) {  // direct applies (also to a single input channel, e.g. to test it)
    std::vector<bool> connected(out_channels * in_channels, false);
    for (int64_t o = 0; o < out_channels; ++o) connected[o * in_channels + o / p.out_per_group()] = true;
    p.channels = plan_connection_conv2d(batch, in_channels, out_channels, connected, geometry);
    p.channels.weight_in = 1;
  }
  p.chunk = std::max<int64_t>(1, (batch + kConvBlocks - 1) / kConvBlocks);
  const int64_t hw = std::max<int64_t>(1, geometry.out_size());
  p.gemm_images = std::clamp<int64_t>((kConvGemmColumns + hw - 1) / hw, 1, p.chunk);
  if (p.algorithm == Conv2dAlgorithm::gemm && geometry.stride_h == 1 && geometry.kernel_h > 1 && p.gemm_images == 1 &&
      p.in_per_group() * geometry.kernel_w >= kConvRowsDepth)
    p.algorithm = Conv2dAlgorithm::gemm_rows;
  p.keep_columns = p.algorithm == Conv2dAlgorithm::gemm &&
                   batch * in_channels * geometry.kernel_size() * geometry.out_size() <= kConvKeptColumns;
  return p;
}

Tensor conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& output,
                      const Conv2dPlan& plan, bool keep) {
  const bool kept = keep && plan.keep_columns && plan.algorithm == Conv2dAlgorithm::gemm;
  const Tensor columns =
      kept ? Tensor::empty({plan.batch, plan.in_channels * plan.geometry.kernel_size(), plan.geometry.out_size()},
                           input.dtype())
           : Tensor();
  if (plan.algorithm == Conv2dAlgorithm::direct) {
    connection_conv2d_forward(input, weight, bias, output, plan.channels);
    return columns;
  }
  dispatch_floating(input.dtype(), "conv2d", [&]<class T>() {
    const T* b = bias.defined() ? bias.data<T>() : nullptr;
    if (plan.algorithm == Conv2dAlgorithm::gemm_rows)
      forward_rows(input.data<T>(), weight.data<T>(), b, output.data<T>(), plan);
    else
      forward_gemm(input.data<T>(), weight.data<T>(), b, output.data<T>(),
                   kept ? const_cast<Tensor&>(columns).data<T>() : nullptr, plan);
  });
  return columns;
}

void conv2d_backward(const Tensor& grad_output, const Tensor& input, const Tensor& weight, const Tensor& columns,
                     Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias, const Conv2dPlan& plan) {
  if (plan.algorithm == Conv2dAlgorithm::direct)
    return connection_conv2d_backward(grad_output, input, weight, grad_input, grad_weight, grad_bias, plan.channels);
  dispatch_floating(grad_output.dtype(), "conv2d backward", [&]<class T>() {
    const T* gy = grad_output.data<T>();
    T* gx = grad_input ? grad_input->data<T>() : nullptr;
    T* gw = grad_weight ? grad_weight->data<T>() : nullptr;
    if (plan.algorithm == Conv2dAlgorithm::gemm_rows) {
      if (gx || gw) backward_rows(gy, input.data<T>(), weight.data<T>(), gx, gw, plan);
    } else if (gx || gw) {
      backward_gemm(gy, input.data<T>(), weight.data<T>(), columns.defined() ? columns.data<T>() : nullptr, gx, gw,
                    plan);
    }
    if (grad_bias) backward_bias(gy, plan, grad_bias->data<T>());
  });
}

}  // namespace tapenet::kernels
