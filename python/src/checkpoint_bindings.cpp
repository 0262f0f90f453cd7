// tn.save_checkpoint / tn.load_checkpoint: HDF5 training checkpoints (optim/checkpoint.hpp). The meta
// dict is converted with the GIL held; the file I/O and the loading run without it.
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "datasets/dataloader.hpp"
#include "framework/random.hpp"
#include "optim/checkpoint.hpp"

namespace py = pybind11;

namespace tapenet::python {

namespace {

using namespace tapenet::optim;

constexpr const char* kGeneratorKey = "generator";

/// str or os.PathLike -> str.
std::string fspath(py::handle path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

LoaderPosition loader_from_py(py::handle obj) {
  if (py::isinstance<datasets::DataLoader>(obj)) {
    const datasets::LoaderState s = obj.cast<const datasets::DataLoader&>().state();
    return {s.epoch, s.position};
  }
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error("save_checkpoint: meta['loader'] must be a tapenet.data.DataLoader or its state_dict()");
  auto d = py::reinterpret_borrow<py::dict>(obj);
  return {d["epoch"].cast<int64_t>(), d["position"].cast<int64_t>()};
}

/// The known keys of `meta` into their fields; every other key into the user JSON.
CheckpointMeta meta_from_py(py::handle obj) {
  CheckpointMeta meta;
  if (obj.is_none()) return meta;
  if (!py::isinstance<py::dict>(obj)) throw py::type_error("save_checkpoint: meta must be a dict or None");
  py::dict user;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
    const auto key = k.cast<std::string>();
    if (key == "epoch")
      meta.epoch = v.cast<int64_t>();
    else if (key == "global_step")
      meta.global_step = v.cast<int64_t>();
    else if (key == kGeneratorKey)
      meta.generators[kGeneratorKey] =
          py::isinstance<Generator>(v) ? v.cast<const Generator&>().state() : v.cast<std::string>();
    else if (key == "loader")
      meta.loader = loader_from_py(v);
    else if (key == "missing_keys" || key == "unexpected_keys")
      throw ValueError("save_checkpoint: meta key '" + key + "' is reserved (load_checkpoint returns it)");
    else
      user[k] = v;
  }
  meta.user_json = py::module_::import("json").attr("dumps")(user).cast<std::string>();
  return meta;
}

py::dict meta_to_py(const CheckpointLoadResult& result) {
  const CheckpointMeta& meta = result.meta;
  py::dict out = py::module_::import("json").attr("loads")(meta.user_json);
  out["epoch"] = meta.epoch;
  out["global_step"] = meta.global_step;
  if (auto it = meta.generators.find(kGeneratorKey); it != meta.generators.end()) out[kGeneratorKey] = it->second;
  if (meta.loader) {
    py::dict loader;
    loader["epoch"] = meta.loader->epoch;
    loader["position"] = meta.loader->position;
    out["loader"] = loader;
  }
  out["missing_keys"] = result.missing_keys;
  out["unexpected_keys"] = result.unexpected_keys;
  return out;
}

}  // namespace

void bind_checkpoint(py::module_& m) {
  m.def(
      "save_checkpoint",
      [](py::handle path, const Module& model, const Optimizer* optimizer, const LRScheduler* scheduler,
         py::handle meta) {
        const std::string file = fspath(path);
        const CheckpointMeta m = meta_from_py(meta);
        py::gil_scoped_release release;
        save_checkpoint(file, model, optimizer, scheduler, m);
      },
      py::arg("path"), py::arg("model"), py::arg("optimizer") = py::none(), py::arg("scheduler") = py::none(),
      py::arg("meta") = py::none(), R"doc(
Saves a training checkpoint (HDF5, docs/CHECKPOINTS.md) crash-safely: written to a temporary file in
the same directory, flushed, then renamed over ``path``.

``meta`` (a dict) may hold ``epoch`` and ``global_step`` (ints), ``generator`` (a tn.Generator or its
get_state()), ``loader`` (a tn.data.DataLoader or its state_dict()); every other entry must be
JSON-serializable and is stored as JSON. The default generator's state is always saved. Raises
ValueError when an optimizer parameter is not in ``model``, OSError naming the file on I/O errors.)doc");

  m.def(
      "load_checkpoint",
      [](py::handle path, Module& model, Optimizer* optimizer, LRScheduler* scheduler, bool strict) {
        const std::string file = fspath(path);
        CheckpointLoadResult result;
        {
          py::gil_scoped_release release;
          result = load_checkpoint(file, model, optimizer, scheduler, strict);
        }
        return meta_to_py(result);
      },
      py::arg("path"), py::arg("model"), py::arg("optimizer") = py::none(), py::arg("scheduler") = py::none(),
      py::arg("strict") = true, R"doc(
Loads a checkpoint into ``model`` (and ``optimizer``, ``scheduler`` when given), restores the default
generator, and returns the meta dict: the user entries, ``epoch``, ``global_step``, ``generator`` (a
state for Generator.set_state) and ``loader`` (for DataLoader.load_state_dict) when saved, and
``missing_keys`` / ``unexpected_keys`` (model keys skipped by ``strict=False``; empty otherwise).

Everything is checked before anything changes. OSError naming the file: not an HDF5 file, truncated,
not a tapenet checkpoint, a newer format_version, an entry of the wrong type. ValueError listing every
problem at once: missing or unexpected keys (with ``strict``), shape or dtype mismatches, another
optimizer or scheduler type or other parameter groups.)doc");
}

}  // namespace tapenet::python
