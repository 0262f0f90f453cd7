// LeNet-5's C3 (batch 64, 6 -> 16 maps, 14x14, 5x5) in every variant of the layer zoo, forward +
// backward with input and parameters requiring grad, backward from a fixed random gradient. Prints
// the best time of each variant and its ratio to the dense Conv2d (the targets: connection
// table and groups=2 <= 0.70, shared sum/mean <= 0.35, shared max <= 1.5).
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/tapenet.hpp"
#include "layers/connection_conv.hpp"
#include "layers/conv.hpp"
#include "layers/shared_conv.hpp"

using namespace tapenet;
using namespace tapenet::nn;

namespace {

double best_ms(Module& layer, const Tensor& x, const Tensor& gy, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps + 5; ++r) {
    const auto start = std::chrono::steady_clock::now();
    layer(x).backward(gy);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r >= 5) best = std::min(best, ms);  // the first runs warm caches and thread pools
    x.impl()->grad = Tensor();
    layer.zero_grad();
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::stoi(argv[1]) : 200;
  set_num_threads(2);
  manual_seed(0);
  const Tensor x = randn({64, 6, 14, 14}).requires_grad_();
  const Tensor gy = randn({64, 16, 10, 10});
  const auto shared = [](ChannelReduce r) {
    return std::make_shared<SharedConv2d>(SharedConv2dOptions(6, 16, 5).reduce(r));
  };
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>> variants = {
      {"dense", std::make_shared<Conv2d>(Conv2dOptions(6, 16, 5))},
      {"lenet5_table", std::make_shared<ConnectionConv2d>(ConnectionConv2dOptions(6, 16, 5, ConnectionTable::lenet5()))},
      {"groups2", std::make_shared<Conv2d>(Conv2dOptions(6, 16, 5).groups(2))},
      {"shared_sum", shared(ChannelReduce::sum)},
      {"shared_mean", shared(ChannelReduce::mean)},
      {"shared_max", shared(ChannelReduce::max)},
  };
  std::printf("LeNet C3 variants, batch 64, forward+backward, %d threads, best of %d\n", get_num_threads(), reps);
  double dense = 0;
  for (const auto& [name, layer] : variants) {
    const double ms = best_ms(*layer, x, gy, reps);
    if (name == "dense") dense = ms;
    std::printf("%-14s %8.3f ms  ratio to dense %.3f\n", name.c_str(), ms, ms / dense);
  }
  return 0;
}
