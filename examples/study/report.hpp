#pragma once
/// \file report.md: the study's results as Markdown tables a researcher reads at a glance, with the
/// configuration, the environment, the skipped combinations and the plots.
#include <string>
#include <vector>

#include "examples/study/environment.hpp"
#include "examples/study/plan.hpp"
#include "examples/study/summary.hpp"

namespace tapenet::study {

/// Everything the report shows.
struct ReportInput {
  StudyConfig config;
  StudyPlan plan;
  std::vector<GroupSummary> groups;
  Environment environment;
  double study_seconds = 0;          ///< wall time of this session (resumed sessions count only themselves)
  std::vector<std::string> plots;    ///< PNG file names in the output directory, in display order
  std::string plot_note;             ///< why there are no plots, when there are none
};

/// The Markdown text: per network and training-set size a table of the selected-rate groups
/// (parameters, multiply-adds, test and train accuracy, gap and test loss as mean ± std over the
/// seeds, epochs and seconds to the target, seconds per epoch, peak RSS), the rate sweep when there
/// is one, the skipped combinations with their reasons, the plots, the environment and the config.
std::string report_markdown(const ReportInput& input);

}  // namespace tapenet::study
