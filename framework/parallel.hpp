#pragma once
/// \file The one threading wrapper: TBB for kernels, one knob for TBB and OpenBLAS together.
///
/// Only kernels call parallel_for, over their outermost independent loop. Each chunk must write a
/// disjoint region, so results do not depend on how the range is split.
#include <cstdint>
#include <type_traits>
#include <utility>

namespace tapenet {

/// Sets the number of threads of every kernel, GEMMs included (OpenBLAS itself runs single-threaded
/// and blas::gemm splits large products over TBB). n >= 1 (ValueError otherwise). Default: all
/// cores. Not to be called while kernels run on other threads.
void set_num_threads(int n);

/// The current thread count set by set_num_threads (all cores by default).
int get_num_threads();

namespace detail {
/// A non-owning reference to a callable `void(int64_t, int64_t)` (avoids std::function's allocation).
class RangeFnRef {
 public:
  template <class F>
  RangeFnRef(F& f) : obj_(&f), call_([](void* o, int64_t b, int64_t e) { (*static_cast<F*>(o))(b, e); }) {}
  void operator()(int64_t b, int64_t e) const { call_(obj_, b, e); }

 private:
  void* obj_;
  void (*call_)(void*, int64_t, int64_t);
};
void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, RangeFnRef fn);
}  // namespace detail

/// Calls fn(b, e) on disjoint subranges that together cover [begin, end), on TBB worker threads.
/// Runs fn(begin, end) on the calling thread when the range holds at most `grain` items or one
/// thread is set; subranges are never smaller than `grain`. Exceptions propagate to the caller.
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (end - begin <= grain || get_num_threads() == 1) {
    fn(begin, end);
    return;
  }
  detail::parallel_for_impl(begin, end, grain, detail::RangeFnRef(fn));
}

}  // namespace tapenet
