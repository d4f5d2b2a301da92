"""Any folder of images, read lazily: the route for CelebA subsets, LSUN exports and your own data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms import v2

from ganzoo.data.base import GANDataModule, missing_dataset_error
from ganzoo.registry import DATASETS

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".ppm", ".tif", ".tiff")


def list_images(folder: Path) -> list[Path]:
    """All image files below ``folder``, sorted so that the order is the same on every machine."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def image_transform(
    image_size: int, channels: int = 3, crop: Callable[[Tensor], Tensor] | None = None
) -> v2.Compose:
    """PIL -> optional crop -> resize shorter side -> centre crop -> float in [-1, 1]."""
    steps: list[Callable] = [v2.PILToTensor()]
    if channels == 1:
        steps.append(v2.Grayscale(1))
    if crop is not None:
        steps.append(crop)
    steps += [
        v2.Resize(image_size, antialias=True),
        v2.CenterCrop(image_size),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize([0.5] * channels, [0.5] * channels),
    ]
    return v2.Compose(steps)


class ImageFilesDataset(Dataset):
    """Items are ``(image, 0)`` so that every dataset in the zoo yields ``(image, label)`` pairs."""

    def __init__(self, files: Sequence[Path], transform: Callable[[Image.Image], Tensor]) -> None:
        self.files, self.transform = list(files), transform

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[Tensor, int]:
        with Image.open(self.files[i]) as img:
            return self.transform(img.convert("RGB")), 0


@DATASETS.register
class ImageFolder(GANDataModule):
    """Images found recursively under ``data_dir``. When ``data_dir`` has ``train/`` and ``test/``
    sub-folders those are the splits; otherwise every image belongs to ``train``."""

    name = "image_folder"

    def __init__(
        self,
        data_dir: str | Path | None = None,
        image_size: int | None = None,
        channels: int = 3,
        batch_size: int = 64,
        num_workers: int = 0,
    ) -> None:
        super().__init__(data_dir, image_size, batch_size, num_workers, download=False)
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {channels}")
        self.channels = channels

    def _split_dir(self, split: str) -> Path:
        if (self.data_dir / "train").is_dir():
            self.splits = tuple(s for s in ("train", "test") if (self.data_dir / s).is_dir())
            self.check_split(split)
            return self.data_dir / split
        if split != "train":
            raise ValueError(
                f"{self.data_dir} has no {split}/ sub-folder: all its images form the 'train' split"
            )
        return self.data_dir

    def dataset(self, split: str) -> Dataset:
        folder = self._split_dir(split)
        files = list_images(folder) if folder.is_dir() else []
        if not files:
            raise missing_dataset_error(
                "image_folder",
                folder,
                [f"*{s}" for s in IMAGE_SUFFIXES[:2]],
                "your own images",
                "no image files",
            )
        return ImageFilesDataset(files, image_transform(self.image_size, self.channels))
