#include "examples/study/study.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sys/wait.h>

#include "examples/study/data.hpp"
#include "examples/study/environment.hpp"
#include "examples/study/eta.hpp"
#include "examples/study/json_file.hpp"
#include "examples/study/plan.hpp"
#include "examples/study/report.hpp"
#include "examples/study/run.hpp"
#include "examples/study/summary.hpp"
#include "framework/errors.hpp"
#include "framework/parallel.hpp"

namespace tapenet::study {
namespace fs = std::filesystem;
namespace {

/// The plots scripts/study-plots draws, in the report's order.
const std::vector<std::string> kPlots = {"accuracy_curves.png", "loss_curves.png", "accuracy_vs_parameters.png",
                                         "gap_vs_train_size.png"};

/// The dotted key of the first difference between two JSON values ("" when equal).
std::string first_difference(const Json& a, const Json& b, const std::string& key) {
  if (a == b) return "";
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      const std::string sub = key.empty() ? k : key + "." + k;
      if (!b.contains(k)) return sub;
      if (auto d = first_difference(v, b.at(k), sub); !d.empty()) return d;
    }
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) return key.empty() ? k : key + "." + k;
  }
  return key.empty() ? "(top level)" : key;
}

void check_or_store_config(const StudyConfig& config, const std::string& output) {
  const std::string path = output + "/config.json";
  const Json wanted = config_identity(config);
  if (!fs::exists(path)) {
    write_json_file(path, wanted);
    return;
  }
  const Json stored = read_json_file(path);
  if (stored != wanted) {
    const std::string key = first_difference(stored, wanted, "");
    throw ValueError(path + ": the output directory holds a study with another configuration (first difference: '" +
                     key + "'); resume it with the same configuration or choose another output directory");
  }
}

/// The finished record of a run, if its run.json says so.
std::optional<RunRecord> finished_record(const std::string& directory) {
  if (!fs::exists(record_path(directory))) return std::nullopt;
  RunRecord r = run_record_from_json(read_json_file(record_path(directory)));
  if (!r.finished()) return std::nullopt;
  return r;
}

void write_results_csv(const std::string& output, const std::vector<RunRecord>& records) {
  const std::string tmp = output + "/.results.tmp.csv", path = output + "/results.csv";
  fs::remove(tmp);
  train::MetricsLog log(tmp);
  for (const RunRecord& r : records)
    for (std::size_t e = 0; e < r.epochs.size(); ++e) log.append(csv_row(r, e));
  if (fs::exists(tmp)) fs::rename(tmp, path);
}

/// Runs the plotting script; returns "" on success, else why there are no plots.
std::string draw_plots(const StudyOptions& options) {
  const std::string script = options.plot_script.empty()
                                 ? std::string(TAPENET_STUDY_SOURCE_DIR) + "/scripts/study-plots"
                                 : options.plot_script;
  if (!fs::exists(script)) return "Plots not drawn: the plotting script " + script + " does not exist.";
  std::string command = "/usr/bin/python3 '";
  command.append(script).append("' '").append(options.output).append("'");
  const int status = std::system(command.c_str());
  if (status != 0)
    return "Plots not drawn: `" + command + "` failed (exit status " + std::to_string(WEXITSTATUS(status)) +
           "; it needs Debian's python3-matplotlib).";
  return "";
}

}  // namespace

Json to_json(const StudyResult& r) {
  return {{"output", r.output},
          {"runs", r.runs},
          {"finished", r.finished},
          {"already_done", r.already_done},
          {"skipped_combinations", r.skipped_combinations},
          {"interrupted", r.interrupted},
          {"seconds", r.seconds},
          {"plot_note", r.plot_note}};
}

train::ProgressMode progress_mode(const std::string& name) {
  if (name == "auto") return train::ProgressMode::automatic;
  if (name == "bar") return train::ProgressMode::bar;
  if (name == "log") return train::ProgressMode::log;
  if (name == "off") return train::ProgressMode::off;
  throw ValueError("study: progress must be 'auto', 'bar', 'log' or 'off', got '" + name + "'");
}

StudyResult run_study(const StudyConfig& config, const StudyOptions& options) {
  if (options.output.empty()) throw ValueError("study: the output directory is empty");
  const int threads = options.threads > 0 ? options.threads : config.threads;
  if (threads > 0) set_num_threads(threads);
  const bool verbose = options.progress.mode() != train::ProgressMode::off;
  FILE* out = options.progress.stream();
  auto say = [&](const std::string& text) {
    if (!verbose || !out) return;
    std::fprintf(out, "%s\n", text.c_str());
    std::fflush(out);
  };

  StudyResult result;
  result.output = options.output;
  fs::create_directories(options.output);
  check_or_store_config(config, options.output);
  const StudyData data = load_study_data(config);
  const StudyPlan plan = plan_study(config, data.train->image_shape(), data.train->size());
  result.runs = static_cast<int64_t>(plan.runs.size());
  result.skipped_combinations = static_cast<int64_t>(plan.skipped.size());

  std::vector<RunRecord> records(plan.runs.size());
  std::vector<bool> done(plan.runs.size(), false);
  std::vector<int> epochs_done(plan.runs.size(), 0);
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (auto r = finished_record(options.output + "/runs/" + plan.runs[i].id)) {
      records[i] = *r;
      done[i] = true;
      epochs_done[i] = plan.runs[i].epochs;
      ++result.already_done;
    }
  }
  say("study " + config.name + ": " + std::to_string(result.runs) + " runs (" + std::to_string(result.already_done) +
      " already done), " + std::to_string(plan.skipped.size()) + " combinations skipped, " +
      std::to_string(get_num_threads()) + " thread(s); output " + options.output);

  StudyEta eta(plan.runs, epochs_done, plan.macs);
  train::MetricsLog live_csv(options.output + "/results.csv");
  for (std::size_t i = 0; i < plan.runs.size() && !result.interrupted; ++i) {
    if (done[i]) continue;
    const RunSpec& spec = plan.runs[i];
    RunContext context;
    context.directory = options.output + "/runs/" + spec.id;
    context.title = "run " + std::to_string(i + 1) + "/" + std::to_string(plan.runs.size()) + " " + spec.network +
                    " " + spec.variant + " n=" + std::to_string(spec.train_size) + " seed " + std::to_string(spec.seed);
    context.progress = options.progress;
    context.on_epoch = [&](const RunRecord& r) {
      const EpochRecord& e = r.epochs.back();
      live_csv.append(csv_row(r, r.epochs.size() - 1));
      eta.epoch_done(i, e.seconds);
      char line[160];
      std::snprintf(line, sizeof line, "  %s epoch %d/%d: test acc %.2f%%, loss %.4f, %.1f s | ", spec.id.c_str(),
                    e.epoch, spec.epochs, 100 * e.test_accuracy, e.test_loss, e.seconds);
      say(line + eta.line());
    };
    context.should_stop = [&] {
      result.interrupted = result.interrupted || (options.should_stop && options.should_stop());
      return result.interrupted;
    };
    records[i] = execute_run(config, data, spec, context);
    done[i] = records[i].finished();
  }
  std::vector<RunRecord> finished;
  for (std::size_t i = 0; i < records.size(); ++i)
    if (done[i]) finished.push_back(records[i]);
  result.finished = static_cast<int64_t>(finished.size());
  result.interrupted = result.interrupted && result.finished < result.runs;
  std::vector<RunRecord> started;
  for (const RunRecord& r : records)
    if (!r.epochs.empty()) started.push_back(r);
  write_results_csv(options.output, started);

  const auto groups = summarize(finished, config);
  const Environment environment = current_environment();
  result.seconds = eta.elapsed();
  Json summary;
  summary["config"] = config_to_json(config);
  summary["environment"] = to_json(environment);
  summary["study"] = {{"runs", result.runs}, {"finished", result.finished}, {"interrupted", result.interrupted},
                      {"session_seconds", result.seconds}};
  summary["skipped"] = Json::array();
  for (const auto& s : plan.skipped)
    summary["skipped"].push_back({{"network", s.network}, {"variant", s.variant}, {"reason", s.reason}});
  summary["groups"] = Json::array();
  for (const auto& g : groups) summary["groups"].push_back(to_json(g));
  write_json_file(options.output + "/summary.json", summary);

  ReportInput report{config, plan, groups, environment, result.seconds, {}, ""};
  if (!options.plots)
    result.plot_note = "Plots not drawn (disabled).";
  else if (finished.empty())
    result.plot_note = "Plots not drawn: no run has finished.";
  else
    result.plot_note = draw_plots(options);
  for (const std::string& plot : kPlots)
    if (result.plot_note.empty() && fs::exists(options.output + "/" + plot)) report.plots.push_back(plot);
  report.plot_note = result.plot_note;
  std::ofstream(options.output + "/report.md") << report_markdown(report);
  say("study " + config.name + (result.interrupted ? " interrupted" : " done") + ": " +
      std::to_string(result.finished) + "/" + std::to_string(result.runs) + " runs finished in this directory, " +
      format_duration(result.seconds) + " this session; report: " + options.output + "/report.md");
  if (!result.plot_note.empty() && options.plots) say(result.plot_note);
  return result;
}

}  // namespace tapenet::study
