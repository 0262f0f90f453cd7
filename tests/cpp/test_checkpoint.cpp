// Checkpoints: layout, round trip, exact resume (SGD-momentum and Adam), strict and non-strict
// loading, broken files, temporary files. The fresh-process and SIGKILL tests are in
// tests/python/test_checkpoint_resume.py.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "datasets/dataloader.hpp"
#include "datasets/tensor_dataset.hpp"
#include "framework/checkpoint_file.hpp"
#include "framework/factories.hpp"
#include "framework/ops/loss.hpp"
#include "framework/random.hpp"
#include "layers/lenet5.hpp"
#include "layers/linear.hpp"
#include "optim/adam.hpp"
#include "optim/checkpoint.hpp"
#include "optim/sgd.hpp"
#include "optim/step_lr.hpp"

using namespace tapenet;
using namespace tapenet::optim;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under /tmp, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path =
        fs::temp_directory_path() / ("tapenet_ckpt_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

void require_same_state(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    REQUIRE(a[i].first == b[i].first);
    REQUIRE(same_bits(a[i].second, b[i].second));
  }
}

StateDict snapshot(const Module& m) {
  StateDict out;
  for (const auto& [k, t] : m.state_dict()) out.emplace_back(k, t.clone());
  return out;
}

std::shared_ptr<const datasets::Dataset> tiny_dataset() {
  Generator g(5);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 12; ++i) labels.push_back(i % 10);
  return std::make_shared<datasets::TensorDataset>(randn({12, 1, 28, 28}, g), from_vector(labels, {12}));
}

/// LeNet-5, its optimizer, a StepLR and a shuffling loader, initialised from `seed`.
struct Run {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<Optimizer> opt;
  std::unique_ptr<StepLR> sched;
  std::unique_ptr<datasets::DataLoader> loader;

  Run(bool adam, uint64_t seed) {
    manual_seed(seed);
    model = models::lenet5();
    if (adam)
      opt = std::make_unique<Adam>(model->parameters(), AdamOptions(1e-3).weight_decay(1e-4));
    else
      opt = std::make_unique<SGD>(model->parameters(), SGDOptions(0.05).momentum(0.9).weight_decay(1e-4));
    sched = std::make_unique<StepLR>(*opt, 2, 0.5);
    loader = std::make_unique<datasets::DataLoader>(tiny_dataset(),
                                                    datasets::DataLoaderOptions(4).shuffle(true).seed(7).prefetch(0));
  }
  void train(int steps) {
    for (int i = 0; i < steps; ++i) {
      std::optional<datasets::Batch> b = loader->next();
      if (!b) b = loader->next();
      opt->zero_grad();
      cross_entropy((*model)(b->images), b->labels).backward();
      opt->step();
      sched->step();
    }
  }
  CheckpointMeta meta(int64_t step) const {
    return {
        loader->epoch(), step, {}, LoaderPosition{loader->state().epoch, loader->state().position}, R"({"note": "x"})"};
  }
};

/// Runs the file through read_hdf5_file, `edit`, write_hdf5_file.
template <class Edit>
void rewrite(const std::string& path, Edit edit) {
  Hdf5Group root = read_hdf5_file(path);
  edit(root);
  write_hdf5_file(path, root);
}

template <class T>
const T& attr(const Hdf5Attributes& a, const std::string& name) {
  return std::get<T>(a.at(name));
}

}  // namespace

TEST_CASE("checkpoint: the file layout", "[checkpoint]") {
  TempDir dir;
  Run run(false, 1);
  run.train(2);
  save_checkpoint(dir.file("a.h5"), *run.model, run.opt.get(), run.sched.get(), run.meta(2));
  const Hdf5Group root = read_hdf5_file(dir.file("a.h5"));
  CHECK(attr<std::string>(root.attributes, "format") == "tapenet-checkpoint");
  CHECK(attr<int64_t>(root.attributes, "format_version") == kCheckpointFormatVersion);
  CHECK(attr<std::string>(root.attributes, "tapenet_version") == TAPENET_VERSION);
  CHECK(attr<std::string>(root.attributes, "created").size() == 20);
  const Hdf5Group& model = root.groups.at("model");
  const Hdf5Dataset& c1 = model.groups.at("c1").datasets.at("weight");
  CHECK(c1.tensor.shape() == Shape{6, 1, 5, 5});
  CHECK(attr<std::string>(c1.attributes, "layout") == "OIHW");
  CHECK(attr<std::string>(model.groups.at("c3").datasets.at("weight").attributes, "layout") == "OIHW");
  CHECK(model.groups.at("c3").datasets.at("table").tensor.shape() == Shape{16, 6});
  CHECK(model.groups.at("c5").datasets.at("weight").attributes.empty());
  REQUIRE(same_bits(model.groups.at("output").datasets.at("bias").tensor, run.model->state_dict().back().second));

  const Hdf5Group& opt = root.groups.at("optimizer");
  CHECK(attr<std::string>(opt.attributes, "type") == "SGD");
  CHECK(attr<double>(opt.attributes, "momentum") == 0.9);
  const Hdf5Attributes& group0 = opt.groups.at("param_groups").groups.at("0").attributes;
  CHECK(attr<double>(group0, "lr") == 0.05 * 0.5);  // StepLR(2, 0.5) after two steps
  const auto& params = attr<std::vector<std::string>>(group0, "params");
  CHECK(params.front() == "c1.weight");
  CHECK(params.size() == 10);
  const Tensor momentum =
      opt.groups.at("state").groups.at("c1").groups.at("weight").datasets.at("momentum_buffer").tensor;
  REQUIRE(same_bits(momentum, run.opt->state(0, "momentum_buffer")));

  const Hdf5Group& sched = root.groups.at("scheduler");
  CHECK(attr<std::string>(sched.attributes, "type") == "StepLR");
  CHECK(attr<double>(sched.attributes, "last_epoch") == 2);
  CHECK(sched.datasets.at("base_lrs").tensor.dtype() == DType::f64);

  const Hdf5Group& meta = root.groups.at("meta");
  CHECK(attr<int64_t>(meta.attributes, "global_step") == 2);
  CHECK(attr<std::string>(meta.attributes, "user_json") == R"({"note": "x"})");
  CHECK(attr<std::string>(meta.groups.at("generators").attributes, "default") == default_generator().state());
  CHECK(attr<int64_t>(meta.groups.at("loader").attributes, "position") == 2);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary file left
}

TEST_CASE("checkpoint: k steps, save, load into new objects, n-k steps equal n steps bit for bit", "[checkpoint]") {
  for (bool adam : {false, true}) {
    INFO((adam ? "Adam" : "SGD momentum"));
    TempDir dir;
    Run straight(adam, 1);
    straight.train(7);

    Run first(adam, 1);
    first.train(3);
    save_checkpoint(dir.file("k.h5"), *first.model, first.opt.get(), first.sched.get(), first.meta(3));
    default_generator().manual_seed(12345);  // load restores it

    Run resumed(adam, 99);  // other initial weights
    const CheckpointLoadResult r =
        load_checkpoint(dir.file("k.h5"), *resumed.model, resumed.opt.get(), resumed.sched.get());
    CHECK(r.meta.global_step == 3);
    CHECK(r.meta.user_json == R"({"note": "x"})");
    CHECK(r.missing_keys.empty());
    CHECK(r.unexpected_keys.empty());
    REQUIRE(r.meta.loader.has_value());
    CHECK(default_generator().state() == r.meta.generators.at("default"));
    resumed.loader->set_state({r.meta.loader->epoch, r.meta.loader->position});
    CHECK(resumed.sched->last_epoch() == 3);
    resumed.train(4);

    require_same_state(straight.model->state_dict(), resumed.model->state_dict());
    CHECK(straight.sched->get_last_lr() == resumed.sched->get_last_lr());
    const OptimizerStateDict a = straight.opt->state_dict(), b = resumed.opt->state_dict();
    REQUIRE(a.state.size() == b.state.size());
    for (std::size_t i = 0; i < a.state.size(); ++i) REQUIRE(same_bits(a.state[i].tensor, b.state[i].tensor));
  }
}

TEST_CASE("checkpoint: strict loading lists every problem and changes nothing", "[checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("s.h5");
  manual_seed(3);
  nn::Sequential saved{{"a", std::make_shared<nn::Linear>(4, 3)},
                       {"b", std::make_shared<nn::Linear>(3, 2)},
                       {"d", std::make_shared<nn::Linear>(2, 2)}};
  SGD saved_opt(saved.parameters(), SGDOptions(0.1).momentum(0.9));
  for (Tensor& p : saved.parameters()) p.set_grad(ones_like(p));
  saved_opt.step();
  save_checkpoint(path, saved, &saved_opt);

  nn::Sequential target{{"a", std::make_shared<nn::Linear>(4, 3)},
                        {"b", std::make_shared<nn::Linear>(3, 5)},
                        {"c", std::make_shared<nn::Linear>(2, 2)}};
  SGD target_opt(target.parameters(), SGDOptions(0.1).momentum(0.9));
  const StateDict before = snapshot(target);
  try {
    load_checkpoint(path, target, &target_opt);
    FAIL("no error");
  } catch (const ValueError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.rfind(path + ": cannot load the checkpoint:", 0) == 0);
    for (const char* key :
         {"missing keys: c.weight c.bias", "unexpected keys: d.bias d.weight",
          "size or dtype mismatch for b.weight: checkpoint [2, 3] float32, model [5, 3] float32",
          "size or dtype mismatch for b.bias", "parameter group 0 holds", "state 'momentum_buffer' of d.weight",
          "size or dtype mismatch for state 'momentum_buffer' of b.bias"})
      CHECK(msg.find(key) != std::string::npos);
  }
  require_same_state(before, target.state_dict());
  CHECK(target_opt.state_dict().state.empty());

  SECTION("another optimizer type") {
    nn::Sequential same{{"a", std::make_shared<nn::Linear>(4, 3)},
                        {"b", std::make_shared<nn::Linear>(3, 2)},
                        {"d", std::make_shared<nn::Linear>(2, 2)}};
    Adam same_adam(same.parameters());
    const StateDict same_before = snapshot(same);
    CHECK_THROWS_WITH(load_checkpoint(path, same, &same_adam),
                      Catch::Contains("the checkpoint holds SGD state, the optimizer is Adam"));
    require_same_state(same_before, same.state_dict());
  }
  SECTION("non-strict loads the keys on both sides") {
    nn::Sequential partial{{"a", std::make_shared<nn::Linear>(4, 3)}, {"c", std::make_shared<nn::Linear>(2, 2)}};
    SGD partial_opt(partial.parameters(), SGDOptions(0.1).momentum(0.9));
    const StateDict c_before = snapshot(*partial.named_children()[1].second);
    const CheckpointLoadResult r = load_checkpoint(path, partial, &partial_opt, nullptr, false);
    CHECK(r.missing_keys == std::vector<std::string>{"c.weight", "c.bias"});
    CHECK(r.unexpected_keys == std::vector<std::string>{"b.bias", "b.weight", "d.bias", "d.weight"});
    CHECK(same_bits(partial.state_dict()[0].second, saved.state_dict()[0].second));
    require_same_state(c_before, partial.named_children()[1].second->state_dict());
    CHECK(same_bits(partial_opt.state(0, "momentum_buffer"), saved_opt.state(0, "momentum_buffer")));
    CHECK(!partial_opt.state(2, "momentum_buffer").defined());
  }
}

TEST_CASE("checkpoint: broken files are reported with the file name and change nothing", "[checkpoint]") {
  TempDir dir;
  manual_seed(4);
  auto model = models::lenet5();
  const std::string good = dir.file("good.h5");
  save_checkpoint(good, *model);
  manual_seed(5);
  auto other = models::lenet5();
  const StateDict before = snapshot(*other);
  const auto expect_io_error = [&](const std::string& path, const std::string& what) {
    INFO(path);
    try {
      load_checkpoint(path, *other);
      FAIL("no error");
    } catch (const IOError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.rfind(path + ": ", 0) == 0);
      CHECK(msg.find(what) != std::string::npos);
    }
    require_same_state(before, other->state_dict());
  };

  expect_io_error(dir.file("missing.h5"), "no such file");
  std::ofstream(dir.file("text.h5")) << "not hdf5 at all\n";
  expect_io_error(dir.file("text.h5"), "not an HDF5 file");
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.file("cut.h5"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  expect_io_error(dir.file("cut.h5"), "truncated or corrupt");
  fs::copy_file(good, dir.file("plain.h5"));
  rewrite(dir.file("plain.h5"), [](Hdf5Group& root) { root.attributes.erase("format"); });
  expect_io_error(dir.file("plain.h5"), "not a tapenet checkpoint");
  fs::copy_file(good, dir.file("newer.h5"));
  rewrite(dir.file("newer.h5"), [](Hdf5Group& root) { root.attributes["format_version"] = int64_t{2}; });
  expect_io_error(dir.file("newer.h5"), "format_version 2 is not supported");
  fs::copy_file(good, dir.file("nometa.h5"));
  rewrite(dir.file("nometa.h5"), [](Hdf5Group& root) { root.groups.erase("meta"); });
  expect_io_error(dir.file("nometa.h5"), "missing group /meta");

  load_checkpoint(good, *other);
  require_same_state(snapshot(*model), other->state_dict());
}

TEST_CASE("checkpoint: temporary files are refused, stale ones removed", "[checkpoint]") {
  TempDir dir;
  auto model = models::lenet5();
  const std::string path = dir.file("run.h5");
  save_checkpoint(path, *model);
  // A temporary file of a process that no longer runs (pid beyond any pid_max), and one of ours.
  const std::string stale = dir.file(".run.h5.tmp-2147483647-ab12");
  const std::string live = dir.file(".run.h5.tmp-" + std::to_string(::getpid()) + "-cd34");
  fs::copy_file(path, stale);
  fs::copy_file(path, live);
  CHECK(is_temporary_checkpoint_name(stale));
  CHECK(!is_temporary_checkpoint_name(path));
  CHECK(!is_temporary_checkpoint_name(dir.file(".notes.tmp-draft.h5")));
  CHECK_THROWS_WITH(load_checkpoint(stale, *model), Catch::Contains("temporary file of an unfinished save"));
  save_checkpoint(path, *model);
  CHECK(!fs::exists(stale));
  CHECK(fs::exists(live));
  CHECK_THROWS_WITH(save_checkpoint(path, *model, nullptr, nullptr, {0, 0, {}, {}, "[1, 2]"}),
                    Catch::Contains("must be a JSON object"));
  CHECK_THROWS_AS(save_checkpoint(dir.file("no/such/dir/x.h5"), *model), IOError);
  Tensor stray = randn({2});
  SGD foreign({stray.requires_grad_()}, SGDOptions(0.1));
  CHECK_THROWS_WITH(save_checkpoint(path, *model, &foreign),
                    Catch::Contains("optimizer parameter 0 is not a parameter of the model"));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);  // run.h5 and `live`
}
