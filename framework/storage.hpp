#pragma once
/// \file Storage: one contiguous, 64-byte-aligned block of bytes shared by tensor handles.
#include <cstddef>

namespace tapenet {

/// Owns one aligned block from the caching allocator and gives it back on destruction.
/// Non-copyable; tensors share it through std::shared_ptr.
class Storage {
 public:
  /// Allocates `nbytes` (uninitialised). Thread-safe. Throws std::bad_alloc.
  explicit Storage(std::size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }

 private:
  void* data_;
  std::size_t nbytes_;
};

/// Counters of the caching allocator (all since process start).
struct AllocatorStats {
  std::size_t system_allocations = 0;  ///< blocks taken from the system allocator
  std::size_t cache_hits = 0;          ///< blocks served from the cache
  std::size_t cached_bytes = 0;        ///< bytes currently held in the cache
};

/// A snapshot of the allocator counters. Thread-safe.
AllocatorStats allocator_stats();

/// Returns every cached block to the system. Thread-safe.
void empty_cache();

}  // namespace tapenet
