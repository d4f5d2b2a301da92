"""CIFAR-10 (Krizhevsky 2009): 50k train / 10k test colour images at 32x32, held in memory as uint8."""

from __future__ import annotations

import torch
import torchvision
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ganzoo.data.base import GANDataModule, UInt8ImageDataset, missing_dataset_error
from ganzoo.registry import DATASETS


@DATASETS.register
class CIFAR10(GANDataModule):
    """Reads torchvision's ``<data_dir>/cifar-10-batches-py`` (downloaded there when missing)."""

    name = "cifar10"
    default_image_size = 32
    native_image_size = 32
    num_classes = 10

    def dataset(self, split: str) -> Dataset:
        self.check_split(split)
        try:
            ds = torchvision.datasets.CIFAR10(
                str(self.data_dir), train=split == "train", download=self.download
            )
        except Exception as err:  # RuntimeError when absent without download, URLError when offline
            raise missing_dataset_error(
                "cifar10",
                self.data_dir,
                ["cifar-10-batches-py/data_batch_1 ... data_batch_5, test_batch"],
                "https://www.cs.toronto.edu/~kriz/cifar.html (the python version)",
                str(err),
            ) from err
        images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()
        if self.image_size != 32:
            images = TF.resize(images, [self.image_size] * 2, antialias=True)
        return UInt8ImageDataset(images, torch.tensor(ds.targets))
