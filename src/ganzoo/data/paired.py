"""Aligned image pairs in pix2pix's "AB" format: each file holds A and B side by side (Isola et al. 2017).

The layout of facades, maps, edges2shoes, edges2handbags, night2day and cityscapes as the authors publish
them: ``<data_dir>/{train,val,test}/*.jpg``, each image ``[A | B]`` (facades: photo | label map, so the
label-to-photo model is trained with ``direction="BtoA"``). Not every set has every split: facades and
night2day have all three, maps and the edges2* sets only ``train`` and ``val``.

With ``labels`` set, one side is a semantic label map stored as a colour image (facades' right half): it is
mapped to class indices through that palette (``ganzoo.data.palettes``), resized with nearest-neighbour
(never interpolating classes), cropped and flipped with its pair, and given as a one-hot (K, H, W) map,
the input SPADE and pix2pixHD take.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.image_folder import list_images, read_rgb
from ganzoo.data.palettes import Palette, get_palette
from ganzoo.data.translation import Jitter, SideDataset, TranslationDataModule, has_images, preprocess
from ganzoo.registry import DATASETS


def split_ab(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """The left and right halves of an AB image (the authors' ``w // 2`` split)."""
    w, h = image.size
    half = w // 2
    return image.crop((0, 0, half, h)), image.crop((half, 0, w, h))


_LUMA = torch.tensor([0.299, 0.587, 0.114])[:, None, None]


def preprocess_labels(
    image: Image.Image, palette: Palette, load_size: int, crop_size: int, jitter: Jitter | None
) -> Tensor:
    """A colour label map -> one-hot float (K, crop_size, crop_size), jittered like its pair's image."""
    size = load_size if jitter is not None else crop_size
    indices = palette.indices(image)[None, None].float()
    indices = F.interpolate(indices, size=(size, size), mode="nearest")[0, 0].long()
    if jitter is not None:
        indices = indices[jitter.y : jitter.y + crop_size, jitter.x : jitter.x + crop_size]
        if jitter.flip:
            indices = indices.flip(-1)
    return F.one_hot(indices, palette.num_classes).permute(2, 0, 1).float()


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
        return {"A": self._side(halves, source, jitter), "B": self._side(halves, target, jitter)}

    def _side(self, halves: dict[str, Image.Image], stored: str, jitter: Jitter | None) -> Tensor:
        size = (self.dm.load_size, self.dm.crop_size)
        if self.dm.palette is not None and stored == self.dm.label_side:
            return preprocess_labels(halves[stored], self.dm.palette, *size, jitter)
        image = preprocess(halves[stored], *size, jitter)
        if self.dm.grayscale_input and stored == self.dm.stored_sides()[0]:
            return (image * _LUMA).sum(0, keepdim=True)  # the authors' --input_nc 1
        return image


@DATASETS.register
class Paired(TranslationDataModule):
    """Paired image-to-image data; ``labels`` names the palette of a side holding colour label maps
    (``"facades"``), ``label_side`` which stored side that is (facades: ``"B"``, the right half, so with
    ``direction="BtoA"`` the one-hot labels are the input "A"). ``grayscale_input`` gives the input one
    channel, its luma (the edges of edges2shoes; BicycleGAN's ``--input_nc 1``). The other arguments are
    ``TranslationDataModule``'s.

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

    def __init__(
        self,
        dataset: str | None = None,
        *,
        labels: str | None = None,
        label_side: Literal["A", "B"] = "B",
        grayscale_input: bool = False,
        **kwargs: Any,
    ) -> None:
        if label_side not in ("A", "B"):
            raise ValueError(f"label_side must be 'A' or 'B' (a stored side), got {label_side!r}")
        super().__init__(dataset, **kwargs)
        self.palette = None if labels is None else get_palette(labels)
        self.label_side = label_side
        self.grayscale_input = grayscale_input

    @property
    def num_label_classes(self) -> int | None:
        """The channels of the one-hot label maps (``None`` without ``labels``)."""
        return None if self.palette is None else self.palette.num_classes

    def present_splits(self) -> tuple[str, ...]:
        return tuple(s for s in self.split_names if has_images(self.data_dir / s))

    def _pairs(self, split: str, train: bool) -> PairedDataset:
        self.prepare_split(split)
        return PairedDataset(list_images(self.data_dir / split), self, train)

    def dataset(self, split: str) -> Dataset:
        return self._pairs(split, train=split == "train")

    def side(self, split: str, side: str) -> Dataset:
        return SideDataset(self._pairs(split, train=False), side)
