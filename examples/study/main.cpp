// tapenet-study: the channel study (docs/STUDY.md). Trains the convolution variants side by side,
// resumes an interrupted study in the same output directory, and writes results.csv,
// summary.json, report.md and plots.
//
//   ./build/examples/study/tapenet-study --preset default
//   ./build/examples/study/tapenet-study --config my-study.json --output runs/my-study --threads 2
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "examples/study/presets.hpp"
#include "examples/study/study.hpp"

using namespace tapenet;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

/// The first Ctrl-C stops after the current epoch; a second one kills at once (the checkpoints are crash-safe).
void on_interrupt(int signal) {
  g_interrupted = 1;
  std::signal(signal, SIG_DFL);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("The channel study: convolution variants trained side by side (docs/STUDY.md)");
  std::string preset_name = "default", config_file, output, data, progress = "auto";
  int threads = 0;
  bool no_plots = false, list = false;
  auto* preset_option = app.add_option("--preset", preset_name, "a preset: default, full or smoke")->capture_default_str();
  app.add_option("--config", config_file, "a JSON configuration file instead of a preset")
      ->check(CLI::ExistingFile)
      ->excludes(preset_option);
  app.add_option("--output", output, "output directory (default: runs/study-<preset or config name>)");
  app.add_option("--threads", threads, "threads (0: the config's, else all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--data", data, "directory of the data set's files (overrides the config's \"data\")");
  app.add_option("--progress", progress, "auto (bar on a terminal, lines on a pipe), bar, log or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "bar", "log", "off"}));
  app.add_flag("--no-plots", no_plots, "do not run scripts/study-plots");
  app.add_flag("--list-presets", list, "list the presets and exit");
  CLI11_PARSE(app, argc, argv);
  try {
    if (list) {
      for (const auto& p : study::presets()) std::printf("%-8s %s\n", p.name.c_str(), p.description.c_str());
      return 0;
    }
    study::StudyConfig config = config_file.empty() ? study::preset(preset_name) : study::load_config_file(config_file);
    if (!data.empty()) config.data = data;
    study::StudyOptions options;
    options.output = output.empty() ? "runs/study-" + config.name : output;
    options.threads = threads;
    options.plots = !no_plots;
    options.progress = train::ProgressOptions().mode(study::progress_mode(progress));
    options.should_stop = [] { return g_interrupted != 0; };
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    const auto result = study::run_study(config, options);
    if (result.interrupted) {
      std::fprintf(stderr, "interrupted: run the same command again to resume\n");
      return 130;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
