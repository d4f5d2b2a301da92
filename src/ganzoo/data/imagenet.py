"""ImageNet ILSVRC-2012 (Russakovsky et al. 2015): 1.28M training images of 1000 classes, labelled by folder.

Its download needs an image-net.org account, so there is no ``download=True``: extract
``ILSVRC2012_img_train.tar`` and the 1000 class archives inside it so that ``<data_dir>/train/<wnid>/*.JPEG``.
Labels index the sorted wnids (n01440764 is 0, n15075141 is 999), the order of torchvision's ``ImageFolder``
and of the published ImageNet models, so ``class_names="imagenet"`` names them. Images are centre-cropped to
a square and resized, as BigGAN-PyTorch prepares ImageNet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.base import GANDataModule, missing_dataset_error
from ganzoo.data.image_folder import ImageFilesDataset, image_transform, list_images
from ganzoo.registry import DATASETS


class LabelledImageFiles(ImageFilesDataset):
    """Items are ``(image, label)`` with one label per file."""

    def __init__(
        self, files: Sequence[Path], labels: Sequence[int], transform: Callable[[Image.Image], Tensor]
    ) -> None:
        super().__init__(files, transform)
        self.labels = list(labels)

    def __getitem__(self, i: int) -> tuple[Tensor, int]:
        return super().__getitem__(i)[0], self.labels[i]


@DATASETS.register
class ImageNet(GANDataModule):
    """The ``train`` split of ``<data_dir>/train/<wnid>/``; ``classes`` lists the wnids in label order."""

    name = "imagenet"
    default_image_size = 128
    splits = ("train",)

    def __init__(
        self,
        data_dir: str | Path | None = None,
        image_size: int | None = None,
        batch_size: int = 64,
        num_workers: int = 0,
    ) -> None:
        super().__init__(data_dir, image_size, batch_size, num_workers, download=False)
        self.classes: list[str] = []

    def dataset(self, split: str) -> Dataset:
        self.check_split(split)
        folder = self.data_dir / split
        self.classes = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        files: list[Path] = []
        labels: list[int] = []
        for label, wnid in enumerate(self.classes):
            found = list_images(folder / wnid)
            files += found
            labels += [label] * len(found)
        if not files:
            raise missing_dataset_error(
                "imagenet",
                self.data_dir,
                ["train/n01440764/*.JPEG", "...", "train/n15075141/*.JPEG"],
                "https://image-net.org/download.php (ILSVRC2012_img_train.tar, after registering)",
                "no class folders with images under train/",
            )
        return LabelledImageFiles(files, labels, image_transform(self.image_size))
