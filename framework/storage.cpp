#include "framework/storage.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace tapenet {
namespace {

// A training step allocates the same sizes every iteration; serving them from a per-size free list
// avoids the page faults glibc incurs when it returns large blocks to the kernel (mmap/munmap).
constexpr std::size_t kAlignment = 64;
constexpr std::size_t kMaxCachedBytes = std::size_t{2} << 30;

std::size_t bucket_size(std::size_t n) {
  const std::size_t granule = n < (std::size_t{1} << 20) ? 256 : (std::size_t{1} << 16);
  return (n + granule - 1) / granule * granule;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache;  // leaked on purpose: storages may outlive static destruction
  return *c;
}

}  // namespace

Storage::Storage(std::size_t nbytes) : data_(nullptr), nbytes_(nbytes) {
  const std::size_t bucket = bucket_size(nbytes ? nbytes : 1);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    auto it = c.free_blocks.find(bucket);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      data_ = it->second.back();
      it->second.pop_back();
      c.stats.cached_bytes -= bucket;
      ++c.stats.cache_hits;
      return;
    }
    ++c.stats.system_allocations;
  }
  data_ = std::aligned_alloc(kAlignment, bucket);
  if (!data_) throw std::bad_alloc();
}

Storage::~Storage() {
  const std::size_t bucket = bucket_size(nbytes_ ? nbytes_ : 1);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    if (c.stats.cached_bytes + bucket <= kMaxCachedBytes) {
      c.free_blocks[bucket].push_back(data_);
      c.stats.cached_bytes += bucket;
      return;
    }
  }
  std::free(data_);
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  for (auto& [size, blocks] : c.free_blocks)
    for (void* p : blocks) std::free(p);
  c.free_blocks.clear();
  c.stats.cached_bytes = 0;
}

}  // namespace tapenet
