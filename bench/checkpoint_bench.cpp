// Saving and loading a checkpoint of LeNet-5 (lenet5 C3 table) with SGD-momentum state: median
// milliseconds of `reps` saves and of `reps` loads into a second model and optimizer, in the
// directory given (the file system decides: most of a save is the two fsyncs of crash safety).
//
//   ./build/bench/tapenet_checkpoint_bench [directory] [reps]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "framework/tapenet.hpp"
#include "layers/lenet5.hpp"
#include "optim/checkpoint.hpp"
#include "optim/sgd.hpp"

using namespace tapenet;

namespace {

// A LeNet-5 and its SGD-momentum optimizer after one step, so the momentum buffers exist.
struct Run {
  std::shared_ptr<nn::Sequential> model = models::lenet5();
  optim::SGD optimizer{model->parameters(), optim::SGDOptions(0.01).momentum(0.9)};
  Run() {
    cross_entropy((*model)(randn({8, 1, 28, 28})), zeros({8}, DType::i64)).backward();
    optimizer.step();
  }
};

template <class F>
double median_ms(int reps, F f) {
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + reps / 2, ms.end());
  return ms[reps / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : ".";
  const int reps = argc > 2 ? std::stoi(argv[2]) : 30;
  const std::string path = (dir / "tapenet_checkpoint_bench.h5").string();
  manual_seed(0);
  Run saved, loaded;
  const double save = median_ms(reps, [&] { optim::save_checkpoint(path, *saved.model, &saved.optimizer); });
  const double load = median_ms(reps, [&] { optim::load_checkpoint(path, *loaded.model, &loaded.optimizer); });
  std::printf("LeNet-5 + SGD momentum: %lld parameters, file %.0f kB in %s\n",
              static_cast<long long>(saved.model->num_parameters()),
              double(std::filesystem::file_size(path)) / 1024, dir.c_str());
  std::printf("save %.2f ms  load %.2f ms  (median of %d)\n", save, load, reps);
  std::filesystem::remove(path);
  return 0;
}
