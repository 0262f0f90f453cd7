#include "examples/study/plan.hpp"

#include <sstream>

#include "examples/study/network.hpp"
#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

/// The rates a variant is trained with on `network`.
std::vector<double> rates(const NetworkConfig& network, const std::string& variant) {
  if (auto it = network.lr_override.find(variant); it != network.lr_override.end()) return {it->second};
  if (!network.lr_sweep.empty()) return network.lr_sweep;
  return {network.lr};
}

}  // namespace

std::string run_id(const std::string& network, const std::string& variant, int64_t train_size, uint64_t seed,
                   double lr, bool swept) {
  std::ostringstream id;
  id << network << '-' << variant << "-n" << train_size << "-s" << seed;
  if (swept) id << "-lr" << lr;
  return id.str();
}

StudyPlan plan_study(const StudyConfig& config, const datasets::ImageShape& shape, int64_t train_split_size) {
  StudyPlan plan;
  for (const NetworkConfig& network : config.networks) {
    std::vector<std::pair<std::string, int64_t>> variants;  // with their multiply-adds
    for (const std::string& variant : config.variants) {
      try {
        variants.emplace_back(variant, build_network(config, network, variant, 0, shape).macs);
      } catch (const ValueError& e) {
        plan.skipped.push_back({network.name, variant, e.what()});
      }
    }
    for (int64_t size : network.train_sizes) {
      if (size > train_split_size)
        throw ValueError("study config: 'networks." + network.name + ".train_sizes' holds " + std::to_string(size) +
                         ", more than the " + std::to_string(train_split_size) + " images of the training split");
      const int64_t n = size == 0 ? train_split_size : size;
      for (uint64_t seed : config.seeds)
        for (const auto& [variant, macs] : variants) {
          const bool swept = !network.lr_sweep.empty() && !network.lr_override.count(variant);
          for (double lr : rates(network, variant)) {
            plan.runs.push_back({run_id(network.name, variant, n, seed, lr, swept), network.name, variant, n, seed,
                                 lr, network.epochs});
            plan.macs.push_back(macs);
          }
        }
    }
  }
  return plan;
}

}  // namespace tapenet::study
