#include "examples/study/config.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "examples/study/json_file.hpp"
#include "framework/errors.hpp"

namespace tapenet::study {
namespace {

const std::map<std::string, double>& default_lr() {
  static const std::map<std::string, double> rates = {{"lenet5", 0.01}, {"allconv", 0.05}};
  return rates;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out.append(out.empty() ? "" : ", ").append(n);
  return out;
}

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw ValueError("study config: '" + key + "' " + problem);
}

void check_member(const std::string& key, const std::string& value, const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) == valid.end())
    fail(key, "has unknown value \"" + value + "\" (valid: " + joined(valid) + ")");
}

/// Reads the keys of one JSON object, each once, and rejects the keys nobody asked for.
class ObjectReader {
 public:
  ObjectReader(const Json& json, std::string prefix) : json_(json), prefix_(std::move(prefix)) {
    if (!json.is_object()) fail(prefix_.empty() ? "(top level)" : prefix_, "must be a JSON object");
  }

  std::string key(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "." + name; }
  bool has(const std::string& name) const { return json_.contains(name); }

  /// The value of `name`, or null when missing (marks the key as known either way).
  const Json& get(const std::string& name) {
    known_.insert(name);
    static const Json null;
    return json_.contains(name) ? json_.at(name) : null;
  }

  int64_t integer(const std::string& name, int64_t fallback, int64_t minimum) {
    const Json& v = get(name);
    if (v.is_null()) return fallback;
    if (!v.is_number_integer() || v.get<int64_t>() < minimum)
      fail(key(name), "must be an integer >= " + std::to_string(minimum) + ", got " + v.dump());
    return v.get<int64_t>();
  }

  double positive(const std::string& name, double fallback) {
    const Json& v = get(name);
    if (v.is_null()) return fallback;
    return positive_value(key(name), v);
  }

  std::string string(const std::string& name, const std::string& fallback) {
    const Json& v = get(name);
    if (v.is_null()) return fallback;
    if (!v.is_string()) fail(key(name), "must be a string, got " + v.dump());
    return v.get<std::string>();
  }

  bool boolean(const std::string& name, bool fallback) {
    const Json& v = get(name);
    if (v.is_null()) return fallback;
    if (!v.is_boolean()) fail(key(name), "must be true or false, got " + v.dump());
    return v.get<bool>();
  }

  /// The array `name` (missing: an empty one); `element` converts each item (with its key).
  template <class T, class F>
  std::vector<T> array(const std::string& name, std::vector<T> fallback, F element) {
    const Json& v = get(name);
    if (v.is_null()) return fallback;
    if (!v.is_array() || v.empty()) fail(key(name), "must be a non-empty array, got " + v.dump());
    std::vector<T> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(element(key(name) + "[" + std::to_string(i) + "]", v[i]));
    return out;
  }

  /// Throws ValueError naming the first key that was never asked for.
  void finish() const {
    for (const auto& [name, value] : json_.items())
      if (!known_.count(name)) {
        std::vector<std::string> valid(known_.begin(), known_.end());
        fail(key(name), "is not a known key (valid: " + joined(valid) + ")");
      }
  }

  static double positive_value(const std::string& key, const Json& v) {
    if (!v.is_number() || v.get<double>() <= 0) fail(key, "must be a positive number, got " + v.dump());
    return v.get<double>();
  }

 private:
  const Json& json_;
  std::string prefix_;
  std::set<std::string> known_;
};

int64_t train_size_value(const std::string& key, const Json& v) {
  if (v.is_string() && v.get<std::string>() == "full") return 0;
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    fail(key, "must be \"full\" or a number of images >= 0 (0 = full), got " + v.dump());
  return v.get<int64_t>();
}

Json train_size_json(int64_t n) { return n == 0 ? Json("full") : Json(n); }

double fraction(ObjectReader& r, const std::string& name, double fallback) {
  const double value = r.positive(name, fallback);
  if (value > 1) fail(r.key(name), "must be a fraction in (0, 1]");
  return value;
}

NetworkConfig network_from_json(const std::string& name, const Json& json, int default_epochs,
                                const std::vector<int64_t>& default_sizes, double default_target) {
  check_member("networks", name, network_names());
  ObjectReader r(json, "networks." + name);
  NetworkConfig n;
  n.name = name;
  n.epochs = static_cast<int>(r.integer("epochs", default_epochs, 1));
  n.train_sizes = r.array<int64_t>("train_sizes", default_sizes, train_size_value);
  n.lr = r.positive("lr", default_lr().at(name));
  n.lr_sweep = r.array<double>("lr_sweep", {}, ObjectReader::positive_value);
  n.target_accuracy = fraction(r, "target_accuracy", default_target);
  const Json& overrides = r.get("lr_override");
  if (!overrides.is_null()) {
    ObjectReader o(overrides, r.key("lr_override"));
    for (const auto& [variant, value] : overrides.items()) {
      check_member(o.key(variant), variant, study_variant_names());
      n.lr_override[variant] = o.positive(variant, 0);
    }
  }
  if (name == "allconv") {
    n.widths = r.array<int64_t>("widths", {24, 48, 96}, [](const std::string& key, const Json& v) {
      if (!v.is_number_integer() || v.get<int64_t>() < 1) fail(key, "must be a positive integer, got " + v.dump());
      return v.get<int64_t>();
    });
    n.batch_norm = r.boolean("batch_norm", true);
  }
  r.finish();
  return n;
}

}  // namespace

const std::vector<std::string>& study_variant_names() {
  static const std::vector<std::string> names = {
      "dense",       "lenet5_table", "random_table", "grouped_g2",          "grouped_g3",    "shared_sum",
      "shared_mean", "shared_max",   "bsconv_u",     "depthwise_separable", "matched_dense", "maxout"};
  return names;
}

const std::vector<std::string>& network_names() {
  static const std::vector<std::string> names = {"lenet5", "allconv"};
  return names;
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "mnist", "cifar10"};
  return names;
}

StudyConfig config_from_json(const Json& json) {
  ObjectReader r(json, "");
  StudyConfig c;
  c.name = r.string("name", c.name);
  c.dataset = r.string("dataset", c.dataset);
  check_member("dataset", c.dataset, dataset_names());
  c.data = r.string("data", c.data);
  if (c.dataset != "fashion-mnist" && c.data.empty()) fail("data", "must name the directory of " + c.dataset);
  c.test_size = train_size_value("test_size", r.get("test_size").is_null() ? Json(0) : r.get("test_size"));
  c.train_eval_size = r.integer("train_eval_size", c.train_eval_size, 0);
  c.seeds = r.array<uint64_t>("seeds", c.seeds, [](const std::string& key, const Json& v) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0) fail(key, "must be an integer >= 0, got " + v.dump());
    return v.get<uint64_t>();
  });
  c.variants = r.array<std::string>("variants", {"dense"}, [](const std::string& key, const Json& v) {
    if (!v.is_string()) fail(key, "must be a string, got " + v.dump());
    check_member(key, v.get<std::string>(), study_variant_names());
    return v.get<std::string>();
  });
  c.batch_size = r.integer("batch_size", c.batch_size, 1);
  c.test_batch_size = r.integer("test_batch_size", c.test_batch_size, 1);
  c.momentum = r.positive("momentum", c.momentum);
  c.target_accuracy = fraction(r, "target_accuracy", c.target_accuracy);
  c.matched_to = r.string("matched_to", c.matched_to);
  check_member("matched_to", c.matched_to, study_variant_names());
  if (c.matched_to == "matched_dense") fail("matched_to", "cannot be matched_dense itself");
  c.threads = static_cast<int>(r.integer("threads", 0, 0));
  const int epochs = static_cast<int>(r.integer("epochs", 3, 1));
  const auto sizes = r.array<int64_t>("train_sizes", {0}, train_size_value);
  const Json& networks = r.get("networks");
  if (networks.is_null()) {
    c.networks.push_back(network_from_json("lenet5", Json::object(), epochs, sizes, c.target_accuracy));
  } else {
    if (!networks.is_object() || networks.empty())
      fail("networks", "must be a non-empty object of network name -> options, got " + networks.dump());
    for (const auto& [name, options] : networks.items())
      c.networks.push_back(network_from_json(name, options, epochs, sizes, c.target_accuracy));
  }
  r.finish();
  return c;
}

StudyConfig load_config_file(const std::string& path) {
  const Json json = read_json_file(path);
  try {
    return config_from_json(json);
  } catch (const ValueError& e) {
    throw ValueError(path + ": " + e.what());
  }
}

Json config_to_json(const StudyConfig& c) {
  Json j;
  j["name"] = c.name;
  j["dataset"] = c.dataset;
  j["data"] = c.data;
  j["test_size"] = train_size_json(c.test_size);
  j["train_eval_size"] = c.train_eval_size;
  j["seeds"] = c.seeds;
  j["variants"] = c.variants;
  j["batch_size"] = c.batch_size;
  j["test_batch_size"] = c.test_batch_size;
  j["momentum"] = c.momentum;
  j["target_accuracy"] = c.target_accuracy;
  j["matched_to"] = c.matched_to;
  j["threads"] = c.threads;
  Json networks = Json::object();
  for (const NetworkConfig& n : c.networks) {
    Json net;
    net["epochs"] = n.epochs;
    net["train_sizes"] = Json::array();
    for (int64_t s : n.train_sizes) net["train_sizes"].push_back(train_size_json(s));
    net["lr"] = n.lr;
    net["target_accuracy"] = n.target_accuracy;
    if (!n.lr_sweep.empty()) net["lr_sweep"] = n.lr_sweep;
    if (!n.lr_override.empty()) net["lr_override"] = n.lr_override;
    if (n.name == "allconv") {
      net["widths"] = n.widths;
      net["batch_norm"] = n.batch_norm;
    }
    networks[n.name] = net;
  }
  j["networks"] = networks;
  return j;
}

const NetworkConfig& network_config(const StudyConfig& config, const std::string& name) {
  for (const NetworkConfig& n : config.networks)
    if (n.name == name) return n;
  throw ValueError("study: network " + name + " is not in the configuration");
}

Json config_identity(const StudyConfig& config) {
  Json j = config_to_json(config);
  j.erase("threads");
  return j;
}

}  // namespace tapenet::study
