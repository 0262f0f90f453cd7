#pragma once
/// \file The channel study's configuration: which variants, networks, data, sizes, seeds and
/// learning rates, read from JSON (docs/STUDY.md lists every key) and written back in canonical form.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tapenet::study {

/// JSON with keys in insertion order, so written files read in a fixed, documented order.
using Json = nlohmann::ordered_json;

/// One network of the study and how it is trained.
struct NetworkConfig {
  std::string name;                          ///< "lenet5" or "allconv"
  int epochs = 3;                            ///< training epochs of every run
  std::vector<int64_t> train_sizes;          ///< training-set sizes; 0 = the full training split
  double lr = 0.01;                          ///< SGD learning rate unless overridden or swept
  std::vector<double> lr_sweep;              ///< non-empty: one run per rate instead of `lr`
  std::map<std::string, double> lr_override; ///< study variant -> learning rate (replaces lr / sweep)
  std::vector<int64_t> widths;               ///< allconv: stage widths
  bool batch_norm = true;                    ///< allconv: batch norm after every conv
  double target_accuracy = 0.85;             ///< test accuracy for "epochs / seconds to target"
  bool operator==(const NetworkConfig&) const = default;
};

/// The whole study.
struct StudyConfig {
  std::string name = "custom";        ///< the preset's name, or "custom" for a JSON file
  std::string dataset = "fashion-mnist";  ///< "fashion-mnist", "mnist" or "cifar10"
  std::string data;                   ///< directory of the files ("": Fashion-MNIST's default root)
  int64_t test_size = 0;              ///< images of the test split evaluated (seeded subset); 0 = all
  /// > 0: after every epoch also evaluate (eval mode) the first this-many images of the run's
  /// training subset, and take the generalization gap from them; 0: from the training pass.
  int64_t train_eval_size = 0;
  std::vector<uint64_t> seeds = {1};  ///< one run per seed: initialisation, subset, order, tables
  std::vector<std::string> variants;  ///< study variant names (study_variant_names())
  std::vector<NetworkConfig> networks;
  int64_t batch_size = 64;
  int64_t test_batch_size = 256;
  double momentum = 0.9;              ///< SGD momentum
  double target_accuracy = 0.85;      ///< the networks' default target_accuracy
  std::string matched_to = "shared_sum";  ///< matched_dense: the variant whose parameter count it matches
  int threads = 0;                    ///< 0: all cores. Not part of the stored config's identity.
  bool operator==(const StudyConfig&) const = default;
};

/// Every study variant name: the ConvVariant names with grouped as grouped_g2 / grouped_g3, plus
/// matched_dense (a narrower dense allconv with the parameters of `matched_to`).
const std::vector<std::string>& study_variant_names();
/// The network names: "lenet5", "allconv".
const std::vector<std::string>& network_names();
/// The data set names: "fashion-mnist", "mnist", "cifar10".
const std::vector<std::string>& dataset_names();

/// Reads a configuration from JSON. Missing keys take their defaults (a network's epochs,
/// train_sizes and target_accuracy default to the top-level ones, its lr to the network's own
/// default rate). Throws ValueError naming the key (dotted, e.g. "networks.allconv.lr") for an
/// unknown key, a value of the wrong type or out of range, an unknown variant, network or data set.
StudyConfig config_from_json(const Json& json);
/// Reads `path` as JSON and then as config_from_json. Throws IOError naming the file when it
/// cannot be read or is not JSON; ValueError (prefixed with the path) for a bad configuration.
StudyConfig load_config_file(const std::string& path);
/// The canonical, fully resolved JSON of `config` (every key, networks as an object in order).
/// config_from_json(config_to_json(c)) == c.
Json config_to_json(const StudyConfig& config);

/// The network named `name` of `config`. Throws ValueError when the config has none.
const NetworkConfig& network_config(const StudyConfig& config, const std::string& name);

/// The canonical JSON without the keys that do not change results ("threads"): what a study's
/// output directory must match to be resumed.
Json config_identity(const StudyConfig& config);

}  // namespace tapenet::study
