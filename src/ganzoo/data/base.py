"""What every image DataModule in the zoo shares: the knobs, the [-1, 1] range and the loaders."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from ganzoo.hub.cache_files import cache_root


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is not on disk and could not be downloaded."""


class DamagedFileError(ValueError):
    """A dataset file on disk is truncated, damaged or not what its name says; the message names it."""


def default_data_dir(name: str) -> Path:
    """``$GANZOO_DATA/<name>``, else ``<cache>/data/<name>``: the one cache root of weights and data
    (``$GANZOO_CACHE``, default ``<HF_HOME>/ganzoo``)."""
    explicit = os.environ.get("GANZOO_DATA")
    return (Path(explicit).expanduser() if explicit else cache_root() / "data") / name


@contextlib.contextmanager
def no_empty_folders_left(folder: Path) -> Iterator[None]:
    """Remove ``folder`` and those of its parents that the block created, if it left them empty (a download
    that failed before its first byte), so a wrong ``data_dir`` gets nothing written into it."""
    created = list(itertools.takewhile(lambda p: not p.exists(), [folder, *folder.parents]))
    try:
        yield
    finally:
        for path in created:  # deepest first; rmdir refuses a folder that holds anything
            with contextlib.suppress(OSError):
                path.rmdir()


def missing_dataset_error(
    name: str, data_dir: Path, expected: Sequence[str], source: str, why: str = ""
) -> DatasetNotFoundError:
    files = "\n".join(f"  {data_dir / f}" for f in expected)
    reason = f" ({why})" if why else ""
    return DatasetNotFoundError(
        f"{name} was not found in {data_dir}{reason}. Expected:\n{files}\n"
        f"Download it from {source} and put the files there, or pass data_dir=<folder that holds them>"
        f"{'' if why else ' (or download=True on a machine with network access)'}."
    )


def to_signed(images: Tensor) -> Tensor:
    """uint8 [0, 255] -> float [-1, 1]."""
    return images.float().div_(127.5).sub_(1.0)


class UInt8ImageDataset(Dataset):
    """Images held in memory as uint8 (N, C, H, W); items are ``(image in [-1, 1], label)``."""

    def __init__(self, images: Tensor, labels: Tensor) -> None:
        if images.dtype != torch.uint8 or images.dim() != 4:
            raise ValueError(f"expected uint8 (N, C, H, W) images, got {images.dtype} {tuple(images.shape)}")
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        return to_signed(self.images[i]), self.labels[i]


class GANDataModule(L.LightningDataModule):
    """Base of the image datasets. Subclasses implement ``dataset(split)``.

    Args:
        data_dir: where the files are (or go); defaults to ``default_data_dir(name)``.
        image_size: side length the images are resized to (``None``: the dataset's ``default_image_size``).
        batch_size: images per training batch.
        num_workers: DataLoader worker processes.
        download: fetch the data from its official source when it is missing.
    """

    name = "base"
    channels = 3
    num_classes: int | None = None  # labelled datasets: how many labels
    default_image_size = 64
    native_image_size: int | None = None  # the size of the files themselves, when they all share one
    splits: tuple[str, ...] = ("train", "test")

    def __init__(
        self,
        data_dir: str | Path | None = None,
        image_size: int | None = None,
        batch_size: int = 64,
        num_workers: int = 0,
        download: bool = True,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir(self.name)
        self.image_size = image_size or self.default_image_size
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.download = download
        self._train: Dataset | None = None

    def dataset(self, split: str) -> Dataset:
        """The ``split`` of this dataset, as ``(image in [-1, 1], label)`` items."""
        raise NotImplementedError

    def model_arguments(self) -> dict[str, Any]:
        """What a model built for this data must be built with, by the names papers use for it; the CLI
        passes them to a model that leaves them at their defaults and refuses a card that contradicts them."""
        shape = (self.channels, self.image_size, self.image_size)
        arguments: dict[str, Any] = {
            "image_size": self.image_size,
            "channels": self.channels,
            "data_shape": shape,
        }
        if getattr(self, "num_classes", None) is not None:
            arguments["num_classes"] = self.num_classes
        return arguments

    def check_split(self, split: str) -> None:
        if split not in self.splits:
            raise ValueError(f"{self.name} has splits {list(self.splits)}, not {split!r}")

    def setup(self, stage: str | None = None) -> None:
        if self._train is None:
            self._train = self.dataset("train")

    def train_dataloader(self) -> DataLoader:
        self.setup("fit")
        return DataLoader(
            self._train,
            batch_size=self.batch_size,
            shuffle=True,
            drop_last=len(self._train) >= self.batch_size,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
        )
