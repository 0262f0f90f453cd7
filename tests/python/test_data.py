"""tapenet.data: data sets on tiny files written by the tests, transforms, the DataLoader."""
import gzip
import os
import struct
import threading
import time

import numpy as np
import pytest
import torch

import tapenet as tn
import tapenet.data  # noqa: F401  (tn.data)

FASHION_ROOT = "/usr/share/datasets/fashion-mnist"


def write_idx(path, array, gz):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">i", n) for n in array.shape) + array.tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(data)


def write_mnist(root, split, images, labels, gz=True):
    prefix = "train" if split == "train" else "t10k"
    write_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte" + (".gz" if gz else "")), images, gz)
    write_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte" + (".gz" if gz else "")), labels, gz)


def write_cifar(path, labels, images):
    with open(path, "wb") as f:
        for label, image in zip(labels, images):
            f.write(bytes([label]) + np.asarray(image, dtype=np.uint8).tobytes())


@pytest.fixture
def numbered():
    """20 one-channel 2x2 images; every pixel of image k is k, its label k."""
    images = np.repeat(np.arange(20, dtype=np.uint8), 4).reshape(20, 1, 2, 2)
    return tn.data.TensorDataset(images, np.arange(20))


def epoch_labels(loader):
    return [int(v) for _, labels in loader for v in labels.numpy()]


def test_fashion_mnist_files_raw_and_gzipped(tmp_path, rng):
    images = rng.integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    write_mnist(tmp_path, "test", images, labels, gz=True)
    write_mnist(tmp_path, "train", images[:2], labels[:2], gz=False)
    test = tn.data.FashionMNIST(str(tmp_path), train=False)
    assert len(test) == 5 and test.image_shape == (1, 3, 4)
    x, y = test.get_batch([4, 0])
    assert x.shape == (2, 1, 3, 4) and x.dtype == tn.float32 and y.dtype == tn.int64
    np.testing.assert_array_equal(np.asarray(x)[:, 0], images[[4, 0]].astype(np.float32) / 255)
    assert np.asarray(y).tolist() == [5, 3]
    image, label = test[-1]
    assert image.shape == (1, 3, 4) and label == 5
    assert len(tn.data.MNIST(str(tmp_path))) == 2
    assert np.asarray(tn.data.MNIST(str(tmp_path), train=True).targets).tolist() == [3, 1]
    with pytest.raises(IndexError):
        test.get_batch([5])
    with pytest.raises(IndexError):
        test[5]


def test_missing_and_bad_files_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(OSError, match=r"train-images-idx3-ubyte.*dataset-fashion-mnist"):
        tn.data.FashionMNIST(str(tmp_path))
    with pytest.raises(OSError, match="no Debian package for MNIST"):
        tn.data.MNIST(str(tmp_path))
    monkeypatch.setenv("TAPENET_DATA", str(tmp_path / "elsewhere"))
    with pytest.raises(OSError, match="elsewhere/train-images-idx3-ubyte"):
        tn.data.FashionMNIST()
    write_mnist(tmp_path, "train", np.zeros((3, 2, 2)), np.zeros(2), gz=False)
    with pytest.raises(OSError, match="3 images but .* 2 labels"):
        tn.data.FashionMNIST(str(tmp_path))
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(OSError, match="train-images-idx3-ubyte.*truncated"):
        tn.data.FashionMNIST(str(tmp_path))


def test_cifar10(tmp_path, rng):
    images = rng.integers(0, 256, size=(12, 3, 32, 32), dtype=np.uint8)
    labels = list(range(10)) + [0, 1]
    for i in range(5):
        write_cifar(tmp_path / f"data_batch_{i + 1}.bin", labels[2 * i:2 * i + 2], images[2 * i:2 * i + 2])
    write_cifar(tmp_path / "test_batch.bin", labels[10:], images[10:])
    train = tn.data.CIFAR10(str(tmp_path))
    assert len(train) == 10 and train.image_shape == (3, 32, 32)
    x, y = train.get_batch([9, 3])
    np.testing.assert_array_equal(np.asarray(x), images[[9, 3]].astype(np.float32) / 255)
    assert np.asarray(y).tolist() == [9, 3]
    assert len(tn.data.CIFAR10(str(tmp_path), train=False)) == 2
    (tmp_path / "test_batch.bin").write_bytes(b"\0" * 3000)
    with pytest.raises(OSError, match="test_batch.bin.*3000 bytes"):
        tn.data.CIFAR10(str(tmp_path), train=False)
    with pytest.raises(OSError, match="cifar.html"):
        tn.data.CIFAR10(str(tmp_path / "nowhere"))


def test_tensor_dataset_and_subset(rng):
    floats = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    ds = tn.data.TensorDataset(floats, np.arange(6))
    x, y = ds.get_batch([5, 1])
    np.testing.assert_array_equal(np.asarray(x), floats[[5, 1]])
    assert y.dtype == tn.int64
    grey = tn.data.TensorDataset(np.full((4, 5, 5), 255, dtype=np.uint8), [0, 1, 2, 3])
    assert grey.image_shape == (1, 5, 5) and float(np.asarray(grey[0][0]).max()) == 1.0
    with pytest.raises(ValueError, match="6 images but 5 labels"):
        tn.data.TensorDataset(floats, np.arange(5))
    first = tn.data.Subset(ds, 3)
    assert first.indices == [0, 1, 2] and len(first) == 3
    drawn = tn.data.Subset(ds, 4, seed=7)
    assert drawn.indices == tn.data.Subset(ds, 4, seed=7).indices
    assert len(set(drawn.indices)) == 4
    np.testing.assert_array_equal(np.asarray(drawn.get_batch([0])[0]), floats[drawn.indices[:1]])
    assert tn.data.Subset(ds, [5, 0]).get_batch([0])[1].tolist() == [5]
    with pytest.raises(ValueError):
        tn.data.Subset(ds, 7)


def test_transforms_exact_values():
    image = np.arange(1, 7, dtype=np.float32).reshape(1, 1, 2, 3)
    ds = tn.data.TensorDataset(image, [0])

    def one(transform):
        return np.asarray(next(iter(tn.data.DataLoader(ds, transform=transform)))[0])[0, 0]

    np.testing.assert_array_equal(one(tn.data.Normalize([1.0], [2.0])), (image[0, 0] - 1) / 2)
    np.testing.assert_array_equal(one(tn.data.Pad(1)), np.pad(image[0, 0], 1))
    np.testing.assert_array_equal(one(tn.data.RandomHorizontalFlip(p=1.0)), image[0, 0, :, ::-1])
    np.testing.assert_array_equal(one(tn.data.RandomHorizontalFlip(p=0.0)), image[0, 0])
    crop = one(tn.data.RandomCrop(2, padding=1))
    padded = np.pad(image[0, 0], 1)
    windows = [padded[t:t + 2, l:l + 2] for t in range(3) for l in range(4)]
    assert any((crop == w).all() for w in windows)
    composed = one([tn.data.Pad(1), tn.data.Normalize(0.5, 0.5)])
    np.testing.assert_allclose(composed, (np.pad(image[0, 0], 1) - 0.5) / 0.5)
    assert repr(tn.data.Compose([tn.data.Pad(2), tn.data.RandomHorizontalFlip()])) == \
        "Compose(Pad(padding=2), RandomHorizontalFlip(p=0.5))"
    with pytest.raises(ValueError, match="RandomCrop"):
        tn.data.DataLoader(ds, transform=tn.data.RandomCrop(5))
    with pytest.raises(ValueError):
        tn.data.Normalize([0.5, 0.5], [1.0])
    with pytest.raises(TypeError):
        tn.data.DataLoader(ds, transform="flip")


def test_normalize_matches_torch(rng):
    images = rng.random((3, 3, 4, 4)).astype(np.float32)
    mean, std = [0.4, 0.5, 0.6], [0.2, 0.3, 0.25]
    ds = tn.data.TensorDataset(images, [0, 1, 2])
    x, _ = next(iter(tn.data.DataLoader(ds, batch_size=3, transform=tn.data.Normalize(mean, std))))
    expected = (torch.from_numpy(images) - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    np.testing.assert_allclose(np.asarray(x), expected.numpy(), rtol=1e-6, atol=1e-6)


def test_loader_batches_and_drop_last(numbered):
    loader = tn.data.DataLoader(numbered, batch_size=6)
    assert len(loader) == 4
    sizes = [len(labels) for _, labels in loader]
    assert sizes == [6, 6, 6, 2]
    dropped = tn.data.DataLoader(numbered, batch_size=6, drop_last=True)
    assert len(dropped) == 3 and epoch_labels(dropped) == list(range(18))
    images, labels = next(iter(tn.data.DataLoader(numbered, batch_size=4, prefetch=0)))
    assert images.shape == (4, 1, 2, 2) and np.asarray(images)[3, 0, 0, 0] == np.float32(3 / 255)


def test_loader_order_is_a_function_of_seed_and_epoch(numbered):
    loader = tn.data.DataLoader(numbered, batch_size=3, shuffle=True, seed=11)
    e0 = epoch_labels(loader)
    assert loader.epoch == 1
    e1 = epoch_labels(loader)
    assert sorted(e0) == list(range(20)) and sorted(e1) == list(range(20))
    assert e0 != e1 and e0 == loader.order(0)
    loader.set_epoch(0)
    assert epoch_labels(loader) == e0
    again = tn.data.DataLoader(numbered, batch_size=7, shuffle=True, seed=11, prefetch=0)
    again.set_epoch(1)
    assert epoch_labels(again) == e1
    assert epoch_labels(tn.data.DataLoader(numbered, batch_size=3, shuffle=True, seed=12)) != e0


def test_loader_state_dict_resumes_mid_epoch(numbered):
    loader = tn.data.DataLoader(numbered, batch_size=4, shuffle=True, seed=2)
    full = epoch_labels(loader)
    loader.set_epoch(0)
    it = iter(loader)
    next(it)
    next(it)
    state = loader.state_dict()
    assert state == {"epoch": 0, "position": 2}
    resumed = tn.data.DataLoader(numbered, batch_size=4, shuffle=True, seed=2)
    resumed.load_state_dict(state)
    assert epoch_labels(resumed) == full[8:]
    assert resumed.state_dict() == {"epoch": 1, "position": 0}
    with pytest.raises(ValueError):
        resumed.load_state_dict({"epoch": 0, "position": 6})


def test_loader_identical_for_any_thread_count(rng):
    images = rng.integers(0, 256, size=(70, 3, 16, 16), dtype=np.uint8)  # batches split across threads
    ds = tn.data.TensorDataset(images, np.arange(70))
    transform = [tn.data.RandomCrop(14, padding=2), tn.data.RandomHorizontalFlip(), tn.data.Normalize(0.5, 0.25)]
    threads = tn.get_num_threads()

    def run(n, prefetch):
        tn.set_num_threads(n)
        try:
            loader = tn.data.DataLoader(ds, batch_size=32, shuffle=True, seed=4, transform=transform, prefetch=prefetch)
            loader.set_epoch(2)
            return [np.asarray(x).copy() for x, _ in loader]
        finally:
            tn.set_num_threads(threads)

    one = run(1, 0)
    for a, b in zip(one, run(2, 2)):
        np.testing.assert_array_equal(a, b)


def test_loader_shutdown_mid_epoch_and_gil_release(numbered):
    start = time.monotonic()
    for prefetch in (1, 2, 8):
        loader = tn.data.DataLoader(numbered, batch_size=1, prefetch=prefetch)
        next(iter(loader))
        del loader  # the prefetch thread is blocked on a full queue
    # Another Python thread keeps running while the loader works.
    ticks = []
    worker = threading.Thread(target=lambda: ticks.extend(range(1000)))
    worker.start()
    epoch_labels(tn.data.DataLoader(numbered, batch_size=2))
    worker.join()
    assert len(ticks) == 1000
    assert time.monotonic() - start < 10


@pytest.mark.skipif(not os.path.exists(os.path.join(FASHION_ROOT, "t10k-images-idx3-ubyte.gz")),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_real_fashion_mnist_test_split(monkeypatch):
    monkeypatch.delenv("TAPENET_DATA", raising=False)
    test = tn.data.FashionMNIST(train=False)
    assert len(test) == 10000 and test.image_shape == (1, 28, 28)
    targets = np.asarray(test.targets)
    assert targets.min() == 0 and targets.max() == 9
    loader = tn.data.DataLoader(test, batch_size=1000)
    assert len(loader) == 10
    images, labels = next(iter(loader))
    assert images.shape == (1000, 1, 28, 28) and 0 <= float(np.asarray(images).min()) < float(np.asarray(images).max()) <= 1
