#include "framework/parallel.hpp"

#include <cblas.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <memory>
#include <mutex>

#include "framework/errors.hpp"

namespace tapenet {
namespace {

struct ThreadSettings {
  // OpenBLAS never gets threads of its own: blas::gemm splits large products over TBB instead.
  // Idle OpenBLAS workers spin for ~0.1 s after each multi-threaded call and take a core from the
  // TBB workers, which measured up to 2x slower kernels right after a GEMM.
  ThreadSettings() { openblas_set_num_threads(1); }
  int threads = tbb::info::default_concurrency();
  std::unique_ptr<tbb::global_control> control;
};

ThreadSettings& settings() {
  static ThreadSettings s;
  return s;
}

// Applies the single-threaded OpenBLAS setting at load time, before any GEMM.
[[maybe_unused]] const bool kBlasConfigured = (settings(), true);

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw ValueError("set_num_threads: expected n >= 1, got " + std::to_string(n));
  ThreadSettings& s = settings();
  s.control.reset();
  s.control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<std::size_t>(n));
  s.threads = n;
}

int get_num_threads() { return settings().threads; }

namespace detail {
void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, RangeFnRef fn) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(begin, end, static_cast<std::size_t>(grain)),
                    [&](const tbb::blocked_range<int64_t>& r) { fn(r.begin(), r.end()); });
}
}  // namespace detail

}  // namespace tapenet
