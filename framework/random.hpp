#pragma once
/// \file Seeded random generators. Every random draw in tapenet takes a Generator, or uses the
/// default one (reseeded with manual_seed, as in PyTorch). Not thread-safe: one generator per thread.
#include <cstdint>
#include <random>
#include <string>

namespace tapenet {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) { manual_seed(seed); }
  /// Restarts the stream from `seed`.
  void manual_seed(uint64_t seed) {
    seed_ = seed;
    engine_.seed(seed);
    has_spare_normal_ = false;
  }
  uint64_t initial_seed() const { return seed_; }
  /// 64 random bits.
  uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double normal();
  /// Uniform integer in [0, n), unbiased.
  uint64_t below(uint64_t n);
  /// The full state as text, restorable with set_state (used by checkpoints).
  std::string state() const;
  /// Restores a state from state(); throws ValueError on malformed text.
  void set_state(const std::string& s);

 private:
  std::mt19937_64 engine_;
  uint64_t seed_ = 0;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

/// The process-wide default generator (used when no generator is passed).
Generator& default_generator();

/// Reseeds the default generator (PyTorch's torch.manual_seed).
void manual_seed(uint64_t seed);

}  // namespace tapenet
