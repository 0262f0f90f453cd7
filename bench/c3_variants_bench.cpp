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

// One forward + backward of `layer` in milliseconds; gradients are dropped afterwards.
double run_ms(Module& layer, const Tensor& x, const Tensor& gy) {
  const auto start = std::chrono::steady_clock::now();
  layer(x).backward(gy);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  x.impl()->grad = Tensor();
  layer.zero_grad();
  return ms;
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
  std::printf("LeNet C3 variants, batch 64, forward+backward, %d threads, best of %d (variants interleaved)\n",
              get_num_threads(), reps);
  // Variants take turns, so drifting machine load favours none of them; the first rounds warm up.
  std::vector<double> best(variants.size(), 1e30);
  for (int r = 0; r < reps + 5; ++r)
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const double ms = run_ms(*variants[v].second, x, gy);
      if (r >= 5) best[v] = std::min(best[v], ms);
    }
  for (std::size_t v = 0; v < variants.size(); ++v)
    std::printf("%-14s %8.3f ms  ratio to dense %.3f\n", variants[v].first.c_str(), best[v], best[v] / best[0]);
  return 0;
}
