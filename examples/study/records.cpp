#include "examples/study/records.hpp"

#include <cmath>
#include <limits>

#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

/// The run's own fields, in results.csv's column order (also run.json's keys).
train::MetricRow run_fields(const RunRecord& r) {
  return {{"run_id", r.spec.id},
          {"network", r.spec.network},
          {"variant", r.spec.variant},
          {"train_size", r.spec.train_size},
          {"seed", static_cast<int64_t>(r.spec.seed)},
          {"lr", r.spec.lr},
          {"epochs", int64_t{r.spec.epochs}},
          {"parameters", r.parameters},
          {"swapped_parameters", r.swapped_parameters},
          {"macs", r.macs}};
}

/// One epoch's fields, in results.csv's column order (also run.json's history keys).
train::MetricRow epoch_fields(const EpochRecord& e) {
  return {{"epoch", int64_t{e.epoch}},
          {"train_loss", e.train_loss},
          {"train_accuracy", e.train_accuracy},
          {"test_loss", e.test_loss},
          {"test_accuracy", e.test_accuracy},
          {"train_eval_loss", e.train_eval_loss},
          {"train_eval_accuracy", e.train_eval_accuracy},
          {"train_seconds", e.train_seconds},
          {"epoch_seconds", e.seconds},
          {"peak_rss_bytes", e.peak_rss_bytes}};
}

Json object_of(const train::MetricRow& row) {
  Json j = Json::object();
  for (const auto& [name, value] : row) std::visit([&, &name = name](const auto& v) { j[name] = v; }, value);
  return j;
}

template <class T>
T field(const Json& json, const char* key) {
  if (!json.contains(key)) throw ValueError(std::string("run record: missing field '") + key + "'");
  if constexpr (std::is_same_v<T, double>)
    if (json.at(key).is_null()) return std::numeric_limits<double>::quiet_NaN();  // NaN is written as null
  try {
    return json.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw ValueError(std::string("run record: field '") + key + "' has the wrong type: " + json.at(key).dump());
  }
}

}  // namespace

double EpochRecord::gap_train_accuracy() const {
  return std::isnan(train_eval_accuracy) ? train_accuracy : train_eval_accuracy;
}

Json to_json(const RunRecord& r) {
  Json j = object_of(run_fields(r));
  j["finished"] = r.finished();
  j["history"] = Json::array();
  for (const EpochRecord& e : r.epochs) j["history"].push_back(object_of(epoch_fields(e)));
  return j;
}

RunRecord run_record_from_json(const Json& j) {
  RunRecord r;
  r.spec = {field<std::string>(j, "run_id"), field<std::string>(j, "network"), field<std::string>(j, "variant"),
            field<int64_t>(j, "train_size"), field<uint64_t>(j, "seed"),       field<double>(j, "lr"),
            field<int>(j, "epochs")};
  r.parameters = field<int64_t>(j, "parameters");
  r.swapped_parameters = field<int64_t>(j, "swapped_parameters");
  r.macs = field<int64_t>(j, "macs");
  for (const Json& e : field<Json>(j, "history"))
    r.epochs.push_back({field<int>(e, "epoch"), field<double>(e, "train_loss"), field<double>(e, "train_accuracy"),
                        field<double>(e, "test_loss"), field<double>(e, "test_accuracy"),
                        field<double>(e, "train_eval_loss"), field<double>(e, "train_eval_accuracy"),
                        field<double>(e, "train_seconds"), field<double>(e, "epoch_seconds"),
                        field<int64_t>(e, "peak_rss_bytes")});
  return r;
}

train::MetricRow csv_row(const RunRecord& r, std::size_t epoch) {
  const EpochRecord& e = r.epochs.at(epoch);
  double train_seconds = 0;
  for (std::size_t i = 0; i <= epoch; ++i) train_seconds += r.epochs[i].train_seconds;
  train::MetricRow row = run_fields(r);
  for (auto& field : epoch_fields(e)) row.push_back(std::move(field));
  row.emplace_back("gap", e.gap_train_accuracy() - e.test_accuracy);
  row.emplace_back("cumulative_train_seconds", train_seconds);
  return row;
}

}  // namespace tapenet::study
