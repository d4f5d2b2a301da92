"""Two unaligned image collections in CycleGAN's layout (Zhu et al. 2017): ``trainA/ trainB/ testA/ testB/``.

Sampling follows the authors' ``unaligned_dataset.py``: an epoch has max(len A, len B) items; item ``i``
is A's image ``i mod len A`` (the loader shuffles the order) with a B image drawn uniformly at random each
time, so no fixed pairing is ever learned. Evaluation splits pair ``i mod len A`` with ``i mod len B``, as
the authors' test script (``serial_batches``) does. Each image gets its own crop and flip.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.image_folder import ImageFilesDataset, list_images
from ganzoo.data.translation import TranslationDataModule, has_images, preprocess
from ganzoo.registry import DATASETS


class UnpairedDataset(Dataset):
    """``{"A", "B"}`` items from two folders that need not match in size or order."""

    def __init__(self, files_a: list[Path], files_b: list[Path], datamodule: Unpaired, train: bool) -> None:
        self.files_a, self.files_b, self.dm, self.train = files_a, files_b, datamodule, train

    def __len__(self) -> int:
        return max(len(self.files_a), len(self.files_b))

    def _load(self, path: Path) -> Tensor:
        jitter = self.dm.draw_jitter() if self.train else None
        with Image.open(path) as img:
            return preprocess(img, self.dm.load_size, self.dm.crop_size, jitter)

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        j = int(torch.randint(len(self.files_b), ())) if self.train else i % len(self.files_b)
        return {"A": self._load(self.files_a[i % len(self.files_a)]), "B": self._load(self.files_b[j])}


@DATASETS.register
class Unpaired(TranslationDataModule):
    """Unpaired image-to-image data; the arguments are ``TranslationDataModule``'s.

    ``dataset`` names one of the authors' archives (``horse2zebra``, ``summer2winter_yosemite``,
    ``apple2orange``, ``monet2photo`` ...), fetched from their server when ``download`` is on and the data
    is missing. Only ``train`` and ``test`` exist, so validation reads ``test``.
    """

    name = "unpaired"
    archive_url = "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{}.zip"
    downloadable = (
        "apple2orange",
        "summer2winter_yosemite",
        "horse2zebra",
        "monet2photo",
        "cezanne2photo",
        "ukiyoe2photo",
        "vangogh2photo",
        "maps",
        "cityscapes",
        "facades",
        "iphone2dslr_flower",
        "ae_photos",
    )
    default_dataset = "horse2zebra"
    layout = ("trainA/*.jpg", "trainB/*.jpg", "testA/*.jpg", "testB/*.jpg")
    split_names = ("train", "test")

    def present_splits(self) -> tuple[str, ...]:
        return tuple(s for s in self.split_names if all(has_images(self.data_dir / f"{s}{x}") for x in "AB"))

    def _files(self, split: str, side: str) -> list[Path]:
        self.prepare_split(split)
        stored = dict(zip("AB", self.stored_sides(), strict=True))[side]
        return list_images(self.data_dir / f"{split}{stored}")

    def dataset(self, split: str) -> Dataset:
        return UnpairedDataset(self._files(split, "A"), self._files(split, "B"), self, split == "train")

    def side(self, split: str, side: str) -> Dataset:
        transform = functools.partial(
            preprocess, load_size=self.load_size, crop_size=self.crop_size, jitter=None
        )
        return ImageFilesDataset(self._files(split, side), transform)
