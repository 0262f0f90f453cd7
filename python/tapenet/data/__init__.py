"""tapenet.data: data sets, per-sample transforms and a parallel DataLoader (torchvision's and
torch.utils.data's names).

    import tapenet as tn
    train = tn.data.FashionMNIST(train=True)            # /usr/share/datasets/fashion-mnist
    loader = tn.data.DataLoader(train, batch_size=64, shuffle=True, seed=1,
                                transform=[tn.data.RandomCrop(28, padding=2), tn.data.Normalize(0.286, 0.353)])
    for epoch in range(epochs):
        for images, labels in loader:                   # float32 [64, 1, 28, 28], int64 [64]
            ...

Batches are a pure function of (seed, epoch, position), whatever the thread count. See the "Data"
section of docs/TRAINING.md.
"""

from .. import _C

_data = _C._data
CIFAR10 = _data.CIFAR10
Compose = _data.Compose
DataLoader = _data.DataLoader
Dataset = _data.Dataset
FashionMNIST = _data.FashionMNIST
MNIST = _data.MNIST
Normalize = _data.Normalize
Pad = _data.Pad
RandomCrop = _data.RandomCrop
RandomHorizontalFlip = _data.RandomHorizontalFlip
Subset = _data.Subset
TensorDataset = _data.TensorDataset
Transform = _data.Transform

__all__ = [
    "CIFAR10",
    "Compose",
    "DataLoader",
    "Dataset",
    "FashionMNIST",
    "MNIST",
    "Normalize",
    "Pad",
    "RandomCrop",
    "RandomHorizontalFlip",
    "Subset",
    "TensorDataset",
    "Transform",
]
