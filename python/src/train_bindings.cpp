// tn.metrics (submodule _C._metrics): running mean, top-k accuracy, confusion matrix, the progress
// bar and the metrics log. Glue only; every call is cheap, so none releases the GIL.
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "framework/train/metrics.hpp"
#include "framework/train/metrics_log.hpp"
#include "framework/train/progress.hpp"

namespace tapenet::python {

namespace {

using namespace tapenet::train;

Tensor labels_tensor(py::handle labels) { return as_tensor(labels, DType::i64); }

bool is_terminal(const py::object& stream) {
  try {
    return py::hasattr(stream, "isatty") && stream.attr("isatty")().cast<bool>();
  } catch (const py::error_already_set&) {
    return false;  // a closed or detached stream: no terminal
  }
}

/// The width of the terminal behind `stream`, or 0 (no limit) when it has none.
int64_t terminal_columns(const py::object& stream) {
  try {
    return py::module_::import("os").attr("get_terminal_size")(stream.attr("fileno")()).attr("columns").cast<int64_t>();
  } catch (const py::error_already_set&) {
    return 0;
  }
}

/// "auto" / "automatic" resolves against `stream`: a bar on a terminal, log lines otherwise.
ProgressMode progress_mode(const std::string& mode, const py::object& stream) {
  if (mode == "bar") return ProgressMode::bar;
  if (mode == "log") return ProgressMode::log;
  if (mode == "off") return ProgressMode::off;
  if (mode == "auto" || mode == "automatic") return is_terminal(stream) ? ProgressMode::bar : ProgressMode::log;
  throw ValueError("ProgressBar: mode must be 'auto', 'bar', 'log' or 'off', got '" + mode + "'");
}

/// The bar writes through a sink to `stream`'s write() and flush() (sys.stdout when None).
std::unique_ptr<ProgressBar> make_progress_bar(std::string title, int64_t total_batches, const std::string& mode,
                                               py::object stream, int64_t log_every, int64_t width,
                                               double min_interval_seconds, std::optional<int64_t> columns,
                                               py::object clock) {
  if (stream.is_none()) stream = py::module_::import("sys").attr("stdout");
  ProgressOptions options;
  options.mode(progress_mode(mode, stream)).log_every(log_every).width(width);
  options.min_interval_seconds(min_interval_seconds);
  if (options.mode() == ProgressMode::bar) options.columns(columns ? *columns : terminal_columns(stream));
  options.sink([stream](const std::string& text) {
    stream.attr("write")(text);
    if (py::hasattr(stream, "flush")) stream.attr("flush")();
  });
  if (!clock.is_none()) options.clock([clock] { return clock().cast<double>(); });
  return std::make_unique<ProgressBar>(std::move(title), total_batches, std::move(options));
}

const char* mode_name(ProgressMode mode) {
  switch (mode) {
    case ProgressMode::bar: return "bar";
    case ProgressMode::log: return "log";
    case ProgressMode::off: return "off";
    case ProgressMode::automatic: break;
  }
  return "auto";
}

/// An int (also bool and NumPy integers), a float (anything with __float__) or a str.
MetricValue metric_value(const std::string& key, py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (PyIndex_Check(value.ptr())) return value.cast<int64_t>();
  const double d = PyFloat_AsDouble(value.ptr());
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    throw py::type_error("MetricsLog.append: the value of '" + key + "' must be an int, float or str, got " +
                         std::string(py::str(py::type::of(value).attr("__name__"))));
  }
  return d;
}

void append_row(MetricsLog& log, const py::dict& row) {
  MetricRow out;
  for (auto [key, value] : row) {
    std::string name = py::str(key);
    MetricValue v = metric_value(name, value);
    out.emplace_back(std::move(name), std::move(v));
  }
  log.append(out);
}

void bind_metrics(py::module_& m) {
  py::class_<RunningMean>(m, "RunningMean", R"doc(
A weighted running mean: ``update(batch_mean_loss, batch_size)`` per batch, then ``mean()`` is the
mean over all samples (0 when empty).)doc")
      .def(py::init<>())
      .def("update", &RunningMean::update, py::arg("value"), py::arg("count") = 1,
           "Adds ``value`` with weight ``count`` (>= 0; ValueError when negative).")
      .def("mean", &RunningMean::mean, "The weighted mean so far; 0 when empty.")
      .def_property_readonly("count", &RunningMean::count, "The total weight so far.")
      .def("reset", &RunningMean::reset);

  m.def(
      "count_correct",
      [](py::handle logits, py::handle labels, int64_t k) {
        return count_correct(as_tensor(logits), labels_tensor(labels), k);
      },
      py::arg("logits"), py::arg("labels"), py::arg("k") = 1, R"doc(
The number of rows of ``logits`` [N, C] (float) whose label (``labels`` [N], integers) is among the
``k`` largest logits. Ties rank the lower class index first (as argmax), NaN ranks above every number.
ValueError on wrong shapes or dtypes, k outside [1, C] or a label outside [0, C).)doc");

  py::class_<Accuracy>(m, "Accuracy",
                       "Top-k accuracy accumulated over batches: ``update(logits, labels)``, ``value()``.")
      .def(py::init<int64_t>(), py::arg("k") = 1)
      .def(
          "update",
          [](Accuracy& a, py::handle logits, py::handle labels) { a.update(as_tensor(logits), labels_tensor(labels)); },
          py::arg("logits"), py::arg("labels"), "Adds a batch: logits [N, C], labels [N] (as count_correct).")
      .def("value", &Accuracy::value, "correct / total, a fraction in [0, 1]; 0 when empty.")
      .def_property_readonly("correct", &Accuracy::correct)
      .def_property_readonly("total", &Accuracy::total)
      .def_property_readonly("k", &Accuracy::k)
      .def("reset", &Accuracy::reset);

  py::class_<ConfusionMatrix>(m, "ConfusionMatrix", R"doc(
Counts of (true class, predicted class). ``update(logits [N, C] or predictions [N], labels [N])``;
``matrix()`` is an int64 Tensor [C, C] (row = true class, column = predicted); ``str(cm)`` a table
with per-class recall.)doc")
      .def(py::init<int64_t>(), py::arg("num_classes"))
      .def(
          "update",
          [](ConfusionMatrix& cm, py::handle input, py::handle labels) {
            cm.update(as_tensor(input), labels_tensor(labels));
          },
          py::arg("input"), py::arg("labels"),
          "Adds a batch: float logits [N, C] (top-1 class) or integer predictions [N], and labels [N].")
      .def("matrix", &ConfusionMatrix::matrix, "A copy of the counts, int64 [C, C].")
      .def("at", &ConfusionMatrix::at, py::arg("truth"), py::arg("predicted"))
      .def_property_readonly("num_classes", &ConfusionMatrix::num_classes)
      .def_property_readonly("total", &ConfusionMatrix::total)
      .def("accuracy", &ConfusionMatrix::accuracy, "Trace / total; 0 when empty.")
      .def("recall", &ConfusionMatrix::recall, "Per true class: diagonal / row sum (0 for an empty row).")
      .def(
          "to_string",
          [](const ConfusionMatrix& cm, std::optional<std::vector<std::string>> names) {
            return cm.to_string(names.value_or(std::vector<std::string>{}));
          },
          py::arg("class_names") = py::none(), "The table, with ``class_names`` (C names) or the class indices.")
      .def("__str__", [](const ConfusionMatrix& cm) { return cm.to_string(); })
      .def("reset", &ConfusionMatrix::reset);
}

void bind_display(py::module_& m) {
  py::class_<ProgressBar>(m, "ProgressBar", R"doc(
One epoch's progress. On a terminal (``stream.isatty()``) a bar redrawn in place with '\r' at most
every ``min_interval_seconds``; otherwise (a pipe, a file, io.StringIO) a plain line every
``log_every`` batches and at the last. ``finish(summary)`` writes the final line with the elapsed
time. ``stream`` defaults to sys.stdout; ``clock`` (seconds, for tests) to a monotonic clock. The bar
narrows to fit ``columns`` (default: the terminal's width; 0: no limit).
``mode``: 'auto', 'bar', 'log' or 'off'. Usable as a context manager (finish() on exit).)doc")
      .def(py::init(&make_progress_bar), py::arg("title"), py::arg("total_batches"), py::kw_only(),
           py::arg("mode") = "auto", py::arg("stream") = py::none(), py::arg("log_every") = 100, py::arg("width") = 30,
           py::arg("min_interval_seconds") = 0.1, py::arg("columns") = py::none(), py::arg("clock") = py::none())
      .def(
          "update",
          [](ProgressBar& bar, int64_t batches, int64_t images, double loss, std::optional<double> accuracy) {
            bar.update(batches, images, loss, accuracy.value_or(std::numeric_limits<double>::quiet_NaN()));
          },
          py::arg("batches_done"), py::arg("images_done"), py::arg("loss"), py::arg("accuracy") = py::none(),
          "Records the running loss and accuracy (a fraction; None leaves it out) and draws or logs when due.")
      .def("finish", &ProgressBar::finish, py::arg("summary") = "",
           "Writes the final line (elapsed time, then ``summary``); later calls do nothing.")
      .def_property_readonly(
          "mode", [](const ProgressBar& bar) { return mode_name(bar.mode()); }, "'bar', 'log' or 'off'.")
      .def_property_readonly("elapsed", &ProgressBar::elapsed, "Seconds since construction.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](ProgressBar& bar, py::args) { bar.finish(); });

  py::class_<MetricsLog>(m, "MetricsLog", R"doc(
Per-epoch metrics appended to a ``.csv`` or ``.jsonl`` / ``.json-lines`` file of the run.
``append({"epoch": 1, "loss": 0.41, ...})`` writes one row (keys in insertion order), flushes and
closes the file. CSV writes the header when the file is new or empty and raises ValueError when the
existing header differs; JSON lines write NaN and infinities as null.)doc")
      .def(py::init([](const py::object& path) {
             return MetricsLog(py::str(py::module_::import("os").attr("fspath")(path)));
           }),
           py::arg("path"))
      .def("append", &append_row, py::arg("row"), "Appends one row: a dict of int, float or str values.")
      .def_property_readonly("path", &MetricsLog::path)
      .def_property_readonly("format", [](const MetricsLog& log) {
        return log.format() == MetricsLog::Format::csv ? "csv" : "jsonl";
      });
}

}  // namespace

void bind_train(py::module_& m) {
  py::module_ sub = m.def_submodule("_metrics", "Metrics, progress display and run logs (tapenet.metrics).");
  bind_metrics(sub);
  bind_display(sub);
}

}  // namespace tapenet::python
