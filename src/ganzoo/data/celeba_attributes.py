"""CelebA with its 40 binary attributes (``list_attr_celeba.txt``): the data of attribute-conditioned models
such as StarGAN (Choi et al. 2018), which translates a face to a chosen set of attributes.

Items are ``(image in [-1, 1], attributes)``: a float vector with 1 where the face has the attribute and 0
where not, for the ``attributes`` chosen by name, in that order. The images, crop and splits are
``CelebA``'s; the default crop is StarGAN's (the central 178 x 178 square of the official 178 x 218 images,
scaled with the image) with random horizontal flips in training, as in the authors' ``data_loader.py``.

The attribute file is the official one: a row count, the 40 names, then ``<file> <40 values of 1 or -1>``.
It is looked for beside the images, in their parent folder and in ``data_dir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.base import missing_dataset_error
from ganzoo.data.celeba import CelebA
from ganzoo.registry import DATASETS

ATTRIBUTE_FILE = "list_attr_celeba.txt"
STARGAN_ATTRIBUTES = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")
"""The five attributes StarGAN's CelebA models are trained on (``--selected_attrs``)."""


@dataclass(frozen=True)
class AttributeTable:
    """The contents of ``list_attr_celeba.txt``: the 40 names and each file's values as 0 / 1."""

    names: tuple[str, ...]
    values: dict[str, Tensor]  # file name -> (40,) float tensor of 0 / 1

    def select(self, attributes: Sequence[str], path: Path) -> list[int]:
        """The column of each of ``attributes``; an unknown name fails naming the known ones."""
        unknown = [a for a in attributes if a not in self.names]
        if unknown:
            raise ValueError(
                f"{path} has no attribute {', '.join(map(repr, unknown))}; its attributes are: "
                f"{', '.join(self.names)}"
            )
        return [self.names.index(a) for a in attributes]


def read_attributes(path: Path) -> AttributeTable:
    """Parse the official attribute file, checking its row count, its width and that values are +-1."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].strip().isdigit():
        raise ValueError(
            f"{path} is not a CelebA attribute file: expected a row count on its first line and the "
            "attribute names on its second"
        )
    names = tuple(lines[1].split())
    rows = lines[2:]
    if int(lines[0]) != len(rows):
        raise ValueError(f"{path} says it has {lines[0].strip()} rows but has {len(rows)}; it is cut short")
    values: dict[str, Tensor] = {}
    for number, row in enumerate(rows, start=3):
        file, *fields = row.split()
        if len(fields) != len(names) or any(f not in ("1", "-1") for f in fields):
            raise ValueError(
                f"{path}, line {number}: expected {file} followed by {len(names)} values of 1 or -1, "
                f"got {len(fields)} values {' '.join(fields[:4])} ..."
            )
        values[file] = torch.tensor([f == "1" for f in fields], dtype=torch.float32)
    return AttributeTable(names, values)


class AttributeDataset(Dataset):
    """``(image, attributes)`` items: CelebA's images with one row of the attribute table each."""

    def __init__(self, images: Dataset, labels: Tensor, flip: bool) -> None:
        self.images, self.labels, self.flip = images, labels, flip

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        image, _ = self.images[i]
        if self.flip and bool(torch.rand(()) < 0.5):
            image = image.flip(-1)
        return image, self.labels[i]


@DATASETS.register
class CelebAAttributes(CelebA):
    """CelebA images with the chosen binary attributes as labels.

    Args:
        attributes: attribute names of ``list_attr_celeba.txt``, in the order of the label vector
            (StarGAN's five by default).
        flip: random horizontal flips of training images (StarGAN's ``RandomHorizontalFlip``).
        crop: side of the central square cut from an official-size image before resizing (178: StarGAN's
            ``--celeba_crop_size``); ``None`` keeps the whole image.
        The rest are ``CelebA``'s (``data_dir``, ``image_size``, ``test_fraction``, ``batch_size`` ...).
    """

    name = "celeba_attributes"
    default_image_size = 128

    def __init__(
        self,
        data_dir: str | Path | None = None,
        attributes: Sequence[str] = STARGAN_ATTRIBUTES,
        image_size: int | None = None,
        crop: int | None = 178,
        flip: bool = True,
        test_fraction: float = 0.1,
        batch_size: int = 16,
        num_workers: int = 0,
        download: bool = True,
    ) -> None:
        super().__init__(data_dir, image_size, crop, test_fraction, batch_size, num_workers, download)
        if not attributes:
            raise ValueError("choose at least one attribute, e.g. attributes=['Blond_Hair', 'Male']")
        self.attributes, self.flip = tuple(attributes), flip

    @property
    def num_attributes(self) -> int:
        return len(self.attributes)

    def attribute_file(self) -> Path:
        """Where ``list_attr_celeba.txt`` is: beside the images, in their parent folder or in ``data_dir``."""
        folder = self._image_dir()
        places = [self.data_dir, self.data_dir / "celeba"]
        if folder is not None:
            places[:0] = [folder, folder.parent]
        for place in places:
            if (place / ATTRIBUTE_FILE).is_file():
                return place / ATTRIBUTE_FILE
        raise missing_dataset_error(
            self.name,
            self.data_dir,
            [ATTRIBUTE_FILE, "img_align_celeba/000001.jpg ..."],
            "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (Anno/list_attr_celeba.txt)",
            f"no {ATTRIBUTE_FILE} beside the images",
        )

    def dataset(self, split: str) -> Dataset:
        images = super().dataset(split)
        path = self.attribute_file()
        table = read_attributes(path)
        columns = table.select(self.attributes, path)
        missing = [f.name for f in images.files if f.name not in table.values]
        if missing:
            raise ValueError(
                f"{path} has no attributes for {len(missing)} of the {split} images (first: {missing[0]}); "
                "use the attribute file that belongs to these images"
            )
        labels = torch.stack([table.values[f.name][columns] for f in images.files])
        return AttributeDataset(images, labels, self.flip and split == "train")

    def model_arguments(self) -> dict[str, object]:
        """The attribute names, for a model that translates to them (StarGAN's ``attributes``)."""
        return {**super().model_arguments(), "attributes": list(self.attributes)}
