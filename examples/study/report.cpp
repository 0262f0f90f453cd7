#include "examples/study/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "examples/study/eta.hpp"

namespace tapenet::study {
namespace {

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "–";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

/// "87.12 ± 0.31" in percent.
std::string percent(const Stat& s) {
  if (s.n == 0) return "–";
  return fixed(100 * s.mean, 2).append(" ± ").append(fixed(100 * s.std, 2));
}

std::string plain(const Stat& s, int decimals) {
  if (s.n == 0) return "–";
  return fixed(s.mean, decimals).append(" ± ").append(fixed(s.std, decimals));
}

void results_table(std::ostringstream& md, const std::vector<GroupSummary>& groups, const std::string& network,
                   int64_t size, double target) {
  md << "\n### " << network << ", " << size << " training images\n\n"
     << "| variant | lr | params | swapped params | MACs/image | test acc % | train acc % | gap (pp) | test loss | "
        "epochs to " << fixed(100 * target, 0) << "% | s to " << fixed(100 * target, 0)
     << "% | s/epoch | peak RSS MB | seeds |\n"
     << "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const GroupSummary& g : groups) {
    if (g.network != network || g.train_size != size || !g.selected) continue;
    md << "| " << g.variant << " | " << g.lr << " | " << g.parameters << " | "
       << g.swapped_parameters << " | " << g.macs << " | " << percent(g.test_accuracy)
       << " | " << percent(g.train_accuracy) << " | " << plain({100 * g.gap.mean, 100 * g.gap.std, g.gap.n}, 2)
       << " | " << plain(g.test_loss, 4) << " | " << plain(g.epochs_to_target, 1) << " ("
       << g.reached_target << "/" << g.seeds.size() << ") | " << plain(g.seconds_to_target, 1) << " | "
       << plain(g.seconds_per_epoch, 2) << " | " << fixed(double(g.peak_rss_bytes) / (1 << 20), 0) << " | "
       << g.seeds.size() << " |\n";
  }
}

void sweep_table(std::ostringstream& md, const std::vector<GroupSummary>& groups) {
  std::set<std::tuple<std::string, std::string, int64_t>> swept, seen;
  for (const GroupSummary& g : groups) {
    const auto key = std::make_tuple(g.network, g.variant, g.train_size);
    if (!seen.insert(key).second) swept.insert(key);
  }
  if (swept.empty()) return;
  md << "\n## Learning-rate sweep\n\nThe tables above use the rate with the best mean final test accuracy "
        "(marked *).\n\n| network | variant | train size | lr | test acc % | train acc % |\n"
        "|---|---|---:|---:|---:|---:|\n";
  for (const GroupSummary& g : groups)
    if (swept.count({g.network, g.variant, g.train_size}))
      md << "| " << g.network << " | " << g.variant << " | " << g.train_size << " | " << g.lr
         << (g.selected ? "*" : "") << " | " << percent(g.test_accuracy) << " | " << percent(g.train_accuracy)
         << " |\n";
}

}  // namespace

std::string report_markdown(const ReportInput& in) {
  std::ostringstream md;
  const Environment& env = in.environment;
  md << "# Channel study: " << in.config.name << "\n\n"
     << "Does a kernel shared across input channels, or a sparse connection table, regularize, converge faster or "
        "overfit less than a dense convolution, and what does it cost? Every run trains one network with one "
        "convolution variant swapped in (SGD, momentum " << in.config.momentum << ", batch " << in.config.batch_size
     << ") on " << in.config.dataset << "; figures are mean ± sample standard deviation over the seeds, after the "
        "last epoch. gap = train accuracy − test accuracy in percentage points; train accuracy is "
     << (in.config.train_eval_size > 0
             ? "evaluated after the epoch (eval mode) on the first " + std::to_string(in.config.train_eval_size) +
                   " training images of the run"
             : std::string("the running accuracy of the epoch's training pass"))
     << ".\n\n## Results\n";
  std::vector<std::pair<std::string, int64_t>> tables;
  for (const GroupSummary& g : in.groups)
    if (std::find(tables.begin(), tables.end(), std::make_pair(g.network, g.train_size)) == tables.end())
      tables.emplace_back(g.network, g.train_size);
  if (tables.empty()) md << "\nNo run has finished yet.\n";
  for (const auto& [network, size] : tables)
    results_table(md, in.groups, network, size, network_config(in.config, network).target_accuracy);
  sweep_table(md, in.groups);
  md << "\n## Skipped combinations\n\n";
  if (in.plan.skipped.empty()) md << "None.\n";
  for (const SkippedCombination& s : in.plan.skipped)
    md << "- **" << s.network << " / " << s.variant << "**: " << s.reason << "\n";
  md << "\n## Plots\n\n";
  if (in.plots.empty()) md << in.plot_note << "\n";
  for (const std::string& plot : in.plots) md << "![" << plot << "](" << plot << ")\n\n";
  md << "\n## Environment\n\n"
     << "| | |\n|---|---|\n"
     << "| CPU | " << env.cpu_model << " (" << env.cores << " hardware threads) |\n"
     << "| threads | " << env.threads << " |\n"
     << "| tapenet | " << env.tapenet_version << " |\n"
     << "| commit | " << env.commit << " |\n"
     << "| date | " << env.date << " |\n"
     << "| runs | " << in.plan.runs.size() << " |\n"
     << "| this session's wall time | " << format_duration(in.study_seconds) << " |\n"
     << "\n## Configuration\n\n```json\n"
     << config_to_json(in.config).dump(2) << "\n```\n\nFiles: `results.csv` (a row per run and epoch), "
        "`summary.json` (these statistics), `runs/<run-id>/` (checkpoint.h5 and run.json per run).\n";
  return md.str();
}

}  // namespace tapenet::study
