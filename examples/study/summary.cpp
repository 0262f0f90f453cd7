#include "examples/study/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class F>
Stat stat_of(const std::vector<RunOutcome>& outcomes, F value) {
  std::vector<double> values;
  for (const RunOutcome& o : outcomes) values.push_back(value(o));
  return mean_std(values);
}

}  // namespace

Stat mean_std(const std::vector<double>& values) {
  Stat s;
  double sum = 0;
  for (double v : values)
    if (!std::isnan(v)) sum += v, ++s.n;
  if (s.n == 0) return {kNaN, kNaN, 0};
  s.mean = sum / static_cast<double>(s.n);
  double squares = 0;
  for (double v : values)
    if (!std::isnan(v)) squares += (v - s.mean) * (v - s.mean);
  s.std = s.n > 1 ? std::sqrt(squares / static_cast<double>(s.n - 1)) : 0.0;
  return s;
}

RunOutcome outcome(const RunRecord& record, double target_accuracy) {
  if (record.epochs.empty()) throw ValueError("study: run " + record.spec.id + " has no epochs");
  const EpochRecord& last = record.epochs.back();
  RunOutcome o{last.train_loss, last.gap_train_accuracy(), last.test_loss, last.test_accuracy,
               last.gap_train_accuracy() - last.test_accuracy, 0, kNaN, kNaN, 0, 0};
  double train_seconds = 0, seconds = 0;
  for (const EpochRecord& e : record.epochs) {
    train_seconds += e.train_seconds;
    seconds += e.seconds;
    o.best_test_accuracy = std::max(o.best_test_accuracy, e.test_accuracy);
    o.peak_rss_bytes = std::max(o.peak_rss_bytes, e.peak_rss_bytes);
    if (std::isnan(o.epochs_to_target) && e.test_accuracy >= target_accuracy) {
      o.epochs_to_target = e.epoch;
      o.seconds_to_target = train_seconds;
    }
  }
  o.seconds_per_epoch = seconds / static_cast<double>(record.epochs.size());
  return o;
}

std::vector<GroupSummary> summarize(const std::vector<RunRecord>& runs, const StudyConfig& config) {
  using Key = std::tuple<std::string, std::string, int64_t, double>;
  std::vector<Key> order;
  std::map<Key, std::vector<const RunRecord*>> members;
  for (const RunRecord& r : runs) {
    if (!r.finished()) continue;
    const Key key{r.spec.network, r.spec.variant, r.spec.train_size, r.spec.lr};
    if (!members.count(key)) order.push_back(key);
    members[key].push_back(&r);
  }
  std::vector<GroupSummary> groups;
  for (const Key& key : order) {
    const auto& rs = members[key];
    GroupSummary g;
    std::tie(g.network, g.variant, g.train_size, g.lr) = key;
    g.target_accuracy = network_config(config, g.network).target_accuracy;
    g.parameters = rs.front()->parameters;
    g.swapped_parameters = rs.front()->swapped_parameters;
    g.macs = rs.front()->macs;
    std::vector<RunOutcome> os;
    for (const RunRecord* r : rs) {
      g.seeds.push_back(r->spec.seed);
      os.push_back(outcome(*r, g.target_accuracy));
      g.peak_rss_bytes = std::max(g.peak_rss_bytes, os.back().peak_rss_bytes);
      g.reached_target += std::isnan(os.back().epochs_to_target) ? 0 : 1;
    }
    g.train_accuracy = stat_of(os, [](const RunOutcome& o) { return o.train_accuracy; });
    g.test_accuracy = stat_of(os, [](const RunOutcome& o) { return o.test_accuracy; });
    g.gap = stat_of(os, [](const RunOutcome& o) { return o.gap; });
    g.train_loss = stat_of(os, [](const RunOutcome& o) { return o.train_loss; });
    g.test_loss = stat_of(os, [](const RunOutcome& o) { return o.test_loss; });
    g.best_test_accuracy = stat_of(os, [](const RunOutcome& o) { return o.best_test_accuracy; });
    g.epochs_to_target = stat_of(os, [](const RunOutcome& o) { return o.epochs_to_target; });
    g.seconds_to_target = stat_of(os, [](const RunOutcome& o) { return o.seconds_to_target; });
    g.seconds_per_epoch = stat_of(os, [](const RunOutcome& o) { return o.seconds_per_epoch; });
    groups.push_back(g);
  }
  for (GroupSummary& g : groups)
    for (const GroupSummary& other : groups)
      if (other.network == g.network && other.variant == g.variant && other.train_size == g.train_size &&
          other.test_accuracy.mean > g.test_accuracy.mean)
        g.selected = false;
  return groups;
}

Json to_json(const Stat& s) {
  if (s.n == 0) return {{"mean", nullptr}, {"std", nullptr}, {"n", 0}};
  return {{"mean", s.mean}, {"std", s.std}, {"n", s.n}};
}

Json to_json(const GroupSummary& g) {
  return {{"network", g.network},
          {"variant", g.variant},
          {"train_size", g.train_size},
          {"lr", g.lr},
          {"target_accuracy", g.target_accuracy},
          {"selected", g.selected},
          {"parameters", g.parameters},
          {"swapped_parameters", g.swapped_parameters},
          {"macs", g.macs},
          {"seeds", g.seeds},
          {"train_accuracy", to_json(g.train_accuracy)},
          {"test_accuracy", to_json(g.test_accuracy)},
          {"gap", to_json(g.gap)},
          {"train_loss", to_json(g.train_loss)},
          {"test_loss", to_json(g.test_loss)},
          {"best_test_accuracy", to_json(g.best_test_accuracy)},
          {"epochs_to_target", to_json(g.epochs_to_target)},
          {"seconds_to_target", to_json(g.seconds_to_target)},
          {"seconds_per_epoch", to_json(g.seconds_per_epoch)},
          {"reached_target", g.reached_target},
          {"peak_rss_bytes", g.peak_rss_bytes}};
}

}  // namespace tapenet::study
