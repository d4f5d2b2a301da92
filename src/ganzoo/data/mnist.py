"""MNIST (LeCun et al. 1998) and Fashion-MNIST (Xiao et al. 2017), read straight from the IDX files.

The files may sit directly in ``data_dir`` or in torchvision's ``<data_dir>/<MNIST|FashionMNIST>/raw``,
gzipped or not, so a folder downloaded by hand, by torchvision, or the copy that ships with ganzoo all work.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np
import torch
import torchvision
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ganzoo.data.base import (
    DamagedFileError,
    GANDataModule,
    UInt8ImageDataset,
    missing_dataset_error,
    no_empty_folders_left,
)
from ganzoo.registry import DATASETS

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


_REPLACE = "delete it and run again with download=True, or put a good copy there"


def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file (gzipped or not) into a uint8 array of the shape its header gives."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DamagedFileError(f"{path} is not a complete gzip file ({err}): {_REPLACE}") from err
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DamagedFileError(
            f"{path} is not an unsigned-byte IDX file (bad magic number {data[:4].hex()}): {_REPLACE}"
        )
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise DamagedFileError(
            f"{path} is truncated: header says {shape}, found {body.size} bytes of data: {_REPLACE}"
        )
    return body.reshape(shape)


def check_digits(images: np.ndarray, labels: np.ndarray, image_path: Path, label_path: Path) -> None:
    """Refuse what no MNIST-format file holds: no images, other shapes, labels outside 0..9, or counts
    that differ between the two files."""
    if images.ndim != 3 or images.shape[0] == 0:
        raise DamagedFileError(
            f"{image_path} holds {images.shape[0] if images.ndim else 0} images of shape "
            f"{images.shape[1:]}, not N >= 1 grey images: {_REPLACE}"
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise DamagedFileError(
            f"{image_path} has {len(images)} images but {label_path} has labels of shape {labels.shape}: "
            f"{_REPLACE}"
        )
    (wrong,) = np.nonzero(labels > 9)
    if wrong.size:
        raise DamagedFileError(
            f"{label_path} has label {labels[wrong[0]]} at index {wrong[0]} ({wrong.size} labels outside "
            f"0..9): {_REPLACE}"
        )


class _IDXDataModule(GANDataModule):
    channels = 1
    num_classes = 10
    torchvision_class: type[torchvision.datasets.MNIST] = torchvision.datasets.MNIST
    source = ""
    default_image_size = 32  # 28x28 resized to the 4 * 2^k sizes that convolutional GANs need
    native_image_size = 28

    @property
    def _raw(self) -> Path:
        return self.data_dir / self.torchvision_class.__name__ / "raw"

    def _find(self, stem: str) -> Path | None:
        for folder in (self.data_dir, self._raw):
            for name in (stem, stem + ".gz"):
                if (folder / name).is_file():
                    return folder / name
        return None

    def _check_download(self, path: Path) -> None:
        """A ``.gz`` in the download folder is compared with the md5 torchvision publishes for it: a download
        that was cut off is deleted and named, so the next run fetches it again instead of failing forever."""
        published = dict(self.torchvision_class.resources).get(path.name)
        if path.parent != self._raw or published is None:
            return
        md5 = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        if md5 != published:
            path.unlink()
            raise DamagedFileError(
                f"{path} has md5 {md5}, not the published {published} (a download that was cut off?); it "
                f"was deleted: run again to download it afresh"
            )

    def _paths(self, split: str) -> tuple[Path, Path]:
        paths = [self._find(stem) for stem in _FILES[split]]
        if None in paths and self.download:
            try:
                with no_empty_folders_left(self._raw):  # torchvision makes it before trying the network
                    self.torchvision_class(str(self.data_dir), train=split == "train", download=True)
            except Exception as err:  # any network failure ends in the same instruction to the user
                raise missing_dataset_error(
                    self.name,
                    self.data_dir,
                    _all_files(),
                    self.source,
                    f"download failed: {' '.join(str(err).split())}",
                ) from err
            paths = [self._find(stem) for stem in _FILES[split]]
        if None in paths:
            raise missing_dataset_error(self.name, self.data_dir, _all_files(), self.source)
        for path in paths:
            self._check_download(path)
        return paths[0], paths[1]

    def dataset(self, split: str) -> Dataset:
        self.check_split(split)
        image_path, label_path = self._paths(split)
        images, labels = read_idx(image_path), read_idx(label_path)
        check_digits(images, labels, image_path, label_path)
        return UInt8ImageDataset(
            _resize(torch.from_numpy(images.copy()).unsqueeze(1), self.image_size),
            torch.from_numpy(labels.astype(np.int64)),
        )


def _all_files() -> list[str]:
    return [f + ".gz" for pair in _FILES.values() for f in pair]


def _resize(images: Tensor, size: int) -> Tensor:
    if images.shape[-1] == size:
        return images
    return TF.resize(images, [size, size], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)


@DATASETS.register
class MNIST(_IDXDataModule):
    """Handwritten digits, 60k train / 10k test, 28x28 grey; resized to ``image_size`` (32 by default)."""

    name = "mnist"
    torchvision_class = torchvision.datasets.MNIST
    source = "http://yann.lecun.com/exdb/mnist/ (or torchvision.datasets.MNIST(download=True))"


@DATASETS.register
class FashionMNIST(_IDXDataModule):
    """Zalando's clothing images, the MNIST format and sizes."""

    name = "fashion_mnist"
    torchvision_class = torchvision.datasets.FashionMNIST
    source = "https://github.com/zalandoresearch/fashion-mnist (or torchvision's FashionMNIST(download=True))"
