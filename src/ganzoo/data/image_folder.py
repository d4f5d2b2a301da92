"""Any folder of images, read lazily: the route for CelebA subsets, LSUN exports and your own data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms import v2

from ganzoo.data.base import DamagedFileError, GANDataModule, missing_dataset_error
from ganzoo.registry import DATASETS

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".ppm", ".tif", ".tiff")
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")


def read_rgb(path: Path) -> Image.Image:
    """The image file at ``path`` as 8-bit RGB. A 16-bit grey image is scaled to 8 bits (Pillow's own
    conversion clips it, so that mid-grey would become white); a file that cannot be decoded is named."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in _SIXTEEN_BIT or (image.mode == "I" and image.format == "PNG"):
                grey = np.asarray(image, dtype=np.float64) / 257.0  # 65535 -> 255
                return Image.fromarray(grey.round().clip(0, 255).astype(np.uint8)).convert("RGB")
            if image.mode in ("I", "F"):
                raise DamagedFileError(
                    f"{path} holds 32-bit {image.mode} pixels, whose range is unknown: save it with 8 or "
                    f"16 bits per channel"
                )
            return image.convert("RGB")
    except (OSError, SyntaxError) as err:  # Pillow's truncated / unidentified files are OSErrors
        raise DamagedFileError(
            f"{path} cannot be read as an image ({err}): the file is truncated or damaged. Replace it with a "
            f"good copy, or delete it"
        ) from err


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
        return self.transform(read_rgb(self.files[i])), 0


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
