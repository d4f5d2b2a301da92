"""Aligned image pairs in pix2pix's "AB" format: each file holds A and B side by side (Isola et al. 2017).

The layout of facades, maps, edges2shoes, edges2handbags, night2day and cityscapes as the authors publish
them: ``<data_dir>/{train,val,test}/*.jpg``, each image ``[A | B]`` (facades: photo | label map, so the
label-to-photo model is trained with ``direction="BtoA"``). Not every set has every split: facades and
night2day have all three, maps and the edges2* sets only ``train`` and ``val``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.image_folder import list_images, read_rgb
from ganzoo.data.translation import SideDataset, TranslationDataModule, has_images, preprocess
from ganzoo.registry import DATASETS


def split_ab(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """The left and right halves of an AB image (the authors' ``w // 2`` split)."""
    w, h = image.size
    half = w // 2
    return image.crop((0, 0, half, h)), image.crop((half, 0, w, h))


class PairedDataset(Dataset):
    """``{"A": input, "B": target}`` items from AB files; in training both halves share one jitter draw."""

    def __init__(self, files: list[Path], datamodule: Paired, train: bool) -> None:
        self.files, self.dm, self.train = files, datamodule, train

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        halves = dict(zip("AB", split_ab(read_rgb(self.files[i])), strict=True))
        jitter = self.dm.draw_jitter() if self.train else None
        source, target = self.dm.stored_sides()
        size = (self.dm.load_size, self.dm.crop_size)
        return {
            "A": preprocess(halves[source], *size, jitter),
            "B": preprocess(halves[target], *size, jitter),
        }


@DATASETS.register
class Paired(TranslationDataModule):
    """Paired image-to-image data; the arguments are ``TranslationDataModule``'s.

    ``dataset`` names one of the authors' archives (``facades``, ``maps``, ``edges2shoes``,
    ``edges2handbags``, ``night2day``), fetched from their server when ``download`` is on and the data is
    missing; cityscapes has to be prepared from cityscapes-dataset.com because of its license. No checksum
    of these archives is published, so a download is checked against the length the server announces and by
    unpacking it whole.
    """

    name = "paired"
    archive_url = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{}.tar.gz"
    downloadable = ("facades", "maps", "edges2shoes", "edges2handbags", "night2day")
    default_dataset = "facades"
    layout = ("train/1.jpg ... (each image A|B side by side)", "val/*.jpg", "test/*.jpg (where published)")
    split_names = ("train", "val", "test")

    def present_splits(self) -> tuple[str, ...]:
        return tuple(s for s in self.split_names if has_images(self.data_dir / s))

    def _pairs(self, split: str, train: bool) -> PairedDataset:
        self.prepare_split(split)
        return PairedDataset(list_images(self.data_dir / split), self, train)

    def dataset(self, split: str) -> Dataset:
        return self._pairs(split, train=split == "train")

    def side(self, split: str, side: str) -> Dataset:
        return SideDataset(self._pairs(split, train=False), side)
