#pragma once
/// \file run_study(): the whole channel study in one call — plan, train every run (resuming an
/// interrupted study in the same output directory), then write results.csv, summary.json,
/// report.md and the plots. The tapenet-study program and tn.study.run both call it.
#include <cstdint>
#include <functional>
#include <string>

#include "examples/study/config.hpp"
#include "framework/train/progress.hpp"

namespace tapenet::study {

struct StudyOptions {
  std::string output;  ///< the output directory (created)
  int threads = 0;     ///< > 0 overrides config.threads; 0 keeps it (0 there: all cores)
  bool plots = true;   ///< run the plotting script
  /// The plotting script ("": scripts/study-plots of the source tree this was built from). Run
  /// with /usr/bin/python3 (Debian's matplotlib) as `study-plots OUTPUT_DIR`.
  std::string plot_script;
  /// Per-epoch progress bars and the study's lines (elapsed, ETA) go to progress.stream(); mode
  /// off prints nothing. A sink is not used.
  train::ProgressOptions progress;
  /// Asked after every epoch; true stops the study there (the run is resumed by the next call on
  /// the same output directory). Null: never.
  std::function<bool()> should_stop;
};

struct StudyResult {
  std::string output;
  int64_t runs = 0;            ///< runs in the plan
  int64_t finished = 0;        ///< runs finished now (this session and earlier ones)
  int64_t already_done = 0;    ///< runs found finished at the start and not recomputed
  int64_t skipped_combinations = 0;  ///< (network, variant) pairs that cannot be built
  bool interrupted = false;    ///< should_stop ended the session early
  double seconds = 0;          ///< this session's wall time
  std::string plot_note;       ///< why plots are missing, if they are
};

/// The result's fields as a JSON object (the Python binding returns it as a dict).
Json to_json(const StudyResult& result);

/// "auto", "bar", "log" or "off" as a progress mode. Throws ValueError naming the valid names.
train::ProgressMode progress_mode(const std::string& name);

/// Runs the study of `config` into options.output. The directory's config.json must match the
/// config (all but "threads") when it exists, else ValueError naming the file and the first
/// differing key; it is written otherwise. Runs whose run.json says finished are not recomputed;
/// an unfinished run continues from its checkpoint. results.csv, summary.json and report.md are
/// (re)written at the end, also after an interruption (then covering the finished runs). A failing
/// plot script does not fail the study (StudyResult::plot_note and the report say why). Throws
/// IOError / ValueError for missing data, bad sizes, unwritable files and mismatched checkpoints.
/// Threads: sets tapenet's thread count (set_num_threads) when a count is given.
StudyResult run_study(const StudyConfig& config, const StudyOptions& options);

}  // namespace tapenet::study
