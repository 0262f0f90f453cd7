// tn.data (submodule _C._data): data sets, transforms and the DataLoader, with torchvision's and
// torch.utils.data's names. File reading and batch assembly run without the GIL.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "datasets/cifar.hpp"
#include "datasets/dataloader.hpp"
#include "datasets/mnist.hpp"
#include "datasets/tensor_dataset.hpp"
#include "framework/ops/shape_ops.hpp"

namespace tapenet::python {

namespace {

using namespace tapenet::datasets;

// pybind11 holders cannot be shared_ptr<const T>: Python sees mutable holders of the immutable objects.
using DatasetPtr = std::shared_ptr<Dataset>;
using TransformHolder = std::shared_ptr<Transform>;

std::vector<TransformPtr> transform_list(py::handle obj) {
  std::vector<TransformPtr> out;
  for (const TransformHolder& t : obj.cast<std::vector<TransformHolder>>()) out.push_back(t);
  return out;
}

py::tuple batch_tuple(Batch batch) { return py::make_tuple(std::move(batch.images), std::move(batch.labels)); }

Batch get_batch_py(const Dataset& ds, std::vector<int64_t> indices) {
  py::gil_scoped_release release;
  return ds.get_batch(indices);
}

/// ds[i]: (image [C, H, W], label int); negative i counts from the end.
py::tuple getitem(const Dataset& ds, int64_t i) {
  const int64_t n = ds.size();
  if (i < -n || i >= n)
    throw IndexError("Dataset index " + std::to_string(i) + " out of range for " + std::to_string(n) + " samples");
  Batch b = get_batch_py(ds, {i < 0 ? i + n : i});
  const ImageShape s = ds.image_shape();
  return py::make_tuple(reshape(b.images, {s.channels, s.height, s.width}), b.labels.data<int64_t>()[0]);
}

/// images: a NumPy uint8 array (kept as bytes, scaled by 1/255 per batch) or anything tn.tensor
/// takes (float32); [n, H, W] gains a channel dimension.
std::shared_ptr<TensorDataset> make_tensor_dataset(py::handle images, py::handle labels) {
  Tensor label_tensor = as_tensor(labels, DType::i64);
  if (py::isinstance<py::array>(images) &&
      py::reinterpret_borrow<py::array>(images).dtype().is(py::dtype::of<uint8_t>())) {
    auto bytes = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>::ensure(images);
    if (bytes.ndim() != 3 && bytes.ndim() != 4)
      throw ValueError("TensorDataset: uint8 images must be [n, H, W] or [n, C, H, W], got " +
                       std::to_string(bytes.ndim()) + " dimensions");
    const bool chw = bytes.ndim() == 4;
    const ImageShape shape{chw ? bytes.shape(1) : 1, bytes.shape(chw ? 2 : 1), bytes.shape(chw ? 3 : 2)};
    std::vector<uint8_t> pixels(bytes.data(), bytes.data() + bytes.size());
    return std::make_shared<TensorDataset>(std::move(pixels), shape, label_tensor);
  }
  Tensor t = as_tensor(images, DType::f32);
  if (t.dim() == 3) t = reshape(t, {t.size(0), 1, t.size(1), t.size(2)});
  return std::make_shared<TensorDataset>(t, label_tensor);
}

std::vector<float> floats(py::handle obj) {
  if (PyFloat_Check(obj.ptr()) || PyLong_Check(obj.ptr())) return {obj.cast<float>()};
  return obj.cast<std::vector<float>>();
}

TransformPtr transform_from_py(py::handle obj) {
  if (obj.is_none()) return nullptr;
  if (py::isinstance<Transform>(obj)) return obj.cast<TransformHolder>();
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj))
    return std::make_shared<Compose>(transform_list(obj));
  throw py::type_error("transform must be a tapenet.data transform, a list of them, or None");
}

py::object next_py(DataLoader& loader) {
  std::optional<Batch> batch;
  {
    py::gil_scoped_release release;
    batch = loader.next();
  }
  if (!batch) throw py::stop_iteration();
  return batch_tuple(std::move(*batch));
}

void bind_datasets(py::module_& m) {
  py::class_<Dataset, DatasetPtr>(m, "Dataset", R"doc(
A data set of labelled images (C++ implementations only; Python subclasses are not supported).

``len(ds)``, ``ds[i]`` -> ``(image [C, H, W] float32, label int)``, ``ds.get_batch(indices)`` ->
``(images [n, C, H, W] float32, labels [n] int64)``. Images stay compact (bytes) in memory and are
converted (scaled to [0, 1]) when a batch is formed.)doc")
      .def("__len__", &Dataset::size)
      .def("__getitem__", &getitem, py::arg("index"))
      .def(
          "get_batch",
          [](const Dataset& ds, std::vector<int64_t> idx) { return batch_tuple(get_batch_py(ds, std::move(idx))); },
          py::arg("indices"),
          "(images [n, C, H, W] float32, labels [n] int64) for ``indices``; IndexError when out of range.")
      .def_property_readonly(
          "image_shape",
          [](const Dataset& ds) {
            const ImageShape s = ds.image_shape();
            return py::make_tuple(s.channels, s.height, s.width);
          },
          "(C, H, W) of every image.");

  py::class_<ImageDataset, Dataset, std::shared_ptr<ImageDataset>>(m, "_ImageDataset")
      .def_property_readonly(
          "targets",
          [](const ImageDataset& ds) {
            Tensor t = Tensor::empty({ds.size()}, DType::i64);
            std::copy(ds.labels().begin(), ds.labels().end(), t.data<int64_t>());
            return t;
          },
          "All labels as an int64 tensor [n] (torchvision's ``targets``).");

  py::class_<FashionMNIST, ImageDataset, std::shared_ptr<FashionMNIST>>(m, "FashionMNIST", R"doc(
Fashion-MNIST (60000 train / 10000 test 28x28 grey images, labels 0-9) from IDX files, gzipped or raw.

``root=None`` looks in ``$TAPENET_DATA`` if set, else ``/usr/share/datasets/fashion-mnist`` (Debian
package ``dataset-fashion-mnist``). A missing file raises OSError naming the path and the package.)doc")
      .def(py::init([](std::optional<std::string> root, bool train) {
             const std::string dir = root ? *root : default_fashion_mnist_root();
             py::gil_scoped_release release;
             return std::make_shared<FashionMNIST>(dir, train);
           }),
           py::arg("root") = py::none(), py::arg("train") = true);

  py::class_<MNIST, ImageDataset, std::shared_ptr<MNIST>>(m, "MNIST", R"doc(
LeCun's MNIST digits from the four IDX files (gzipped or raw) under ``root``. There is no Debian
package for MNIST here: download it and pass its directory.)doc")
      .def(py::init([](const std::string& root, bool train) {
             py::gil_scoped_release release;
             return std::make_shared<MNIST>(root, train);
           }),
           py::arg("root"), py::arg("train") = true);

  py::class_<CIFAR10, ImageDataset, std::shared_ptr<CIFAR10>>(m, "CIFAR10", R"doc(
CIFAR-10, binary version: ``data_batch_1.bin`` .. ``data_batch_5.bin`` (train) or ``test_batch.bin``
under ``root`` or ``root/cifar-10-batches-bin``; images [3, 32, 32]. Wrong file sizes raise OSError.)doc")
      .def(py::init([](const std::string& root, bool train) {
             py::gil_scoped_release release;
             return std::make_shared<CIFAR10>(root, train);
           }),
           py::arg("root"), py::arg("train") = true);

  py::class_<TensorDataset, Dataset, std::shared_ptr<TensorDataset>>(m, "TensorDataset", R"doc(
Images and labels in memory. ``images``: a NumPy uint8 array [n, C, H, W] or [n, H, W] (kept as bytes,
scaled by 1/255 per batch like the file data sets), or float data / a Tensor (used as float32
values as they are); ``labels``: integers [n] (converted to int64).)doc")
      .def(py::init(&make_tensor_dataset), py::arg("images"), py::arg("labels"));

  py::class_<Subset, Dataset, std::shared_ptr<Subset>>(m, "Subset", R"doc(
Some samples of ``dataset``: ``Subset(ds, n)`` the first n, ``Subset(ds, n, seed=s)`` n distinct samples
drawn with seed s (the same on every machine), ``Subset(ds, [i, j, ...])`` the given indices.)doc")
      .def(py::init([](DatasetPtr ds, int64_t n, std::optional<uint64_t> seed) {
             return Subset::take(std::move(ds), n, seed);
           }),
           py::arg("dataset"), py::arg("n"), py::arg("seed") = py::none())
      .def(py::init<DatasetPtr, std::vector<int64_t>>(), py::arg("dataset"), py::arg("indices"))
      .def_property_readonly("indices", &Subset::indices, "The indices into the underlying data set.")
      .def_property_readonly(
          "dataset", [](const Subset& s) { return std::const_pointer_cast<Dataset>(s.dataset()); },
          "The underlying data set.");
}

void bind_transforms(py::module_& m) {
  py::class_<Transform, TransformHolder>(
      m, "Transform", "A per-sample image transform applied by DataLoader while it assembles a batch.")
      .def("__repr__", &Transform::repr);
  py::class_<Normalize, Transform, std::shared_ptr<Normalize>>(
      m, "Normalize", "(x - mean[c]) / std[c] per channel; one value applies to all channels.")
      .def(py::init(
               [](py::handle mean, py::handle std) { return std::make_shared<Normalize>(floats(mean), floats(std)); }),
           py::arg("mean"), py::arg("std"));
  py::class_<Pad, Transform, std::shared_ptr<Pad>>(m, "Pad", "Zero padding of ``padding`` pixels on every side.")
      .def(py::init<int64_t>(), py::arg("padding"));
  py::class_<RandomCrop, Transform, std::shared_ptr<RandomCrop>>(
      m, "RandomCrop", "Zero-pads by ``padding``, then cuts a ``size`` x ``size`` window at a random offset.")
      .def(py::init<int64_t, int64_t>(), py::arg("size"), py::arg("padding") = 0);
  py::class_<RandomHorizontalFlip, Transform, std::shared_ptr<RandomHorizontalFlip>>(
      m, "RandomHorizontalFlip", "Mirrors the image left-right with probability ``p``.")
      .def(py::init<double>(), py::arg("p") = 0.5);
  py::class_<Compose, Transform, std::shared_ptr<Compose>>(m, "Compose", "The transforms in order.")
      .def(py::init([](py::handle ts) { return std::make_shared<Compose>(transform_list(ts)); }), py::arg("transforms"))
      .def_property_readonly("transforms", [](const Compose& c) {
        std::vector<TransformHolder> out;
        for (const TransformPtr& t : c.transforms()) out.push_back(std::const_pointer_cast<Transform>(t));
        return out;
      });
}

void bind_loader(py::module_& m) {
  py::class_<DataLoader>(m, "DataLoader", R"doc(
Mini-batches ``(images, labels)`` of a data set: iterate it for one epoch; ``len()`` is the number of
batches. Batches are assembled in parallel and ``prefetch`` of them ahead on a background thread
(0: in the calling thread), without the GIL.

The order of epoch e is a pure function of (seed, e) and random transforms of (seed, e, position),
so batches are identical for any thread count. A full iteration advances ``epoch``; iterating again
after a ``break`` continues the same epoch. ``state_dict()`` / ``load_state_dict()`` save and restore
(epoch, position) for checkpoints; ``set_epoch(e)`` restarts at epoch e.)doc")
      .def(py::init([](DatasetPtr ds, int64_t batch_size, bool shuffle, uint64_t seed, bool drop_last,
                       py::handle transform, int64_t prefetch) {
             return std::make_unique<DataLoader>(std::move(ds), DataLoaderOptions(batch_size)
                                                                    .shuffle(shuffle)
                                                                    .seed(seed)
                                                                    .drop_last(drop_last)
                                                                    .transform(transform_from_py(transform))
                                                                    .prefetch(prefetch));
           }),
           py::arg("dataset"), py::arg("batch_size") = 1, py::arg("shuffle") = false, py::arg("seed") = 0,
           py::arg("drop_last") = false, py::arg("transform") = py::none(), py::arg("prefetch") = 2)
      .def("__len__", &DataLoader::size)
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &next_py)
      .def(
          "set_epoch",
          [](DataLoader& l, int64_t e) {
            py::gil_scoped_release release;
            l.set_epoch(e);
          },
          py::arg("epoch"), "Restarts at the first batch of epoch ``epoch``.")
      .def_property_readonly("epoch", &DataLoader::epoch, "The current epoch.")
      .def_property_readonly(
          "position", [](const DataLoader& l) { return l.state().position; },
          "Batches of the current epoch already returned.")
      .def_property_readonly("batch_size", [](const DataLoader& l) { return l.options().batch_size(); })
      .def(
          "state_dict",
          [](const DataLoader& l) {
            py::dict d;
            d["epoch"] = l.state().epoch;
            d["position"] = l.state().position;
            return d;
          },
          "{'epoch': e, 'position': p}: where the loader stands.")
      .def(
          "load_state_dict",
          [](DataLoader& l, const py::dict& d) {
            const LoaderState s{d["epoch"].cast<int64_t>(), d["position"].cast<int64_t>()};
            py::gil_scoped_release release;
            l.set_state(s);
          },
          py::arg("state_dict"), "Resumes at a state from state_dict(); ValueError when out of range.")
      .def("order", &DataLoader::order, py::arg("epoch"), "The sample order of ``epoch`` (a list of indices).");
}

}  // namespace

void bind_data(py::module_& m) {
  py::module_ data = m.def_submodule("_data", "The C++ side of tapenet.data.");
  bind_datasets(data);
  bind_transforms(data);
  bind_loader(data);
}

}  // namespace tapenet::python
