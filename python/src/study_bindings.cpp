// tn.study: the channel study (examples/study) from Python: the same run_study as tapenet-study.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "examples/study/presets.hpp"
#include "examples/study/study.hpp"

namespace py = pybind11;

namespace tapenet::python {
namespace {

study::StudyConfig config_of(const std::string& kind, const std::string& value) {
  if (kind == "preset") return study::preset(value);
  if (kind == "file") return study::load_config_file(value);
  return study::config_from_json(study::Json::parse(value));
}

/// A Python signal (Ctrl-C) seen while the study ran without the GIL, kept to be raised afterwards.
struct PendingSignal {
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
};

}  // namespace

void bind_study(py::module_& m) {
  py::module_ s = m.def_submodule("_study", "The channel study (see tapenet.study).");
  s.def(
      "presets",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& p : study::presets()) out.emplace_back(p.name, p.description);
        return out;
      },
      "(name, description) of every preset.");
  s.def(
      "config_json", [](const std::string& kind, const std::string& value) {
        return study::config_to_json(config_of(kind, value)).dump();
      },
      py::arg("kind"), py::arg("value"),
      "The canonical JSON text of a preset (kind 'preset'), a JSON file ('file') or JSON text ('json').");
  s.def(
      "run",
      [](const std::string& kind, const std::string& value, const std::string& output, int threads,
         const std::string& data, bool plots, const std::string& plot_script, const std::string& progress) {
        study::StudyConfig config = config_of(kind, value);
        if (!data.empty()) config.data = data;
        study::StudyOptions options;
        options.output = output.empty() ? "runs/study-" + config.name : output;
        options.threads = threads;
        options.plots = plots;
        options.plot_script = plot_script;
        options.progress = train::ProgressOptions().mode(study::progress_mode(progress));
        PendingSignal pending;
        options.should_stop = [&pending] {
          if (pending.type) return true;
          py::gil_scoped_acquire gil;
          if (PyErr_CheckSignals() == 0) return false;
          PyErr_Fetch(&pending.type, &pending.value, &pending.traceback);
          return pending.type != nullptr;
        };
        study::StudyResult result;
        {
          py::gil_scoped_release no_gil;
          result = study::run_study(config, options);
        }
        if (pending.type) {
          PyErr_Restore(pending.type, pending.value, pending.traceback);
          throw py::error_already_set();
        }
        return study::to_json(result).dump();
      },
      py::arg("kind"), py::arg("value"), py::arg("output"), py::arg("threads"), py::arg("data"), py::arg("plots"),
      py::arg("plot_script"), py::arg("progress"),
      "Runs the study without the GIL and returns its result as JSON text (tapenet.study.run is the\n"
      "documented entry point).");
}

}  // namespace tapenet::python
