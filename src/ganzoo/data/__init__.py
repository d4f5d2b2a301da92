"""DataModules by name: ``ganzoo.data.create("mnist", data_dir=...)``; ``available()`` lists them.

Each module registers its DataModule in ``ganzoo.registry.DATASETS`` under the class's ``name``.
"""

from typing import Any

from ganzoo.data.base import DatasetNotFoundError, GANDataModule
from ganzoo.data.celeba import CelebA
from ganzoo.data.celeba_attributes import CelebAAttributes
from ganzoo.data.cifar10 import CIFAR10
from ganzoo.data.image_folder import ImageFolder
from ganzoo.data.imagenet import ImageNet
from ganzoo.data.mnist import MNIST, FashionMNIST
from ganzoo.data.paired import Paired
from ganzoo.data.toy2d import Toy2D
from ganzoo.data.unpaired import Unpaired
from ganzoo.registry import DATASETS


def available() -> list[str]:
    """The registered dataset names, sorted."""
    return DATASETS.names()


def get(name: str) -> type[GANDataModule]:
    """The DataModule class registered as ``name``; an unknown name fails with the closest names."""
    return DATASETS[name]


def create(name: str, **kwargs: Any) -> GANDataModule:
    """Instantiate the DataModule registered as ``name``."""
    return get(name)(**kwargs)


__all__ = [
    "CIFAR10",
    "MNIST",
    "CelebA",
    "CelebAAttributes",
    "DatasetNotFoundError",
    "FashionMNIST",
    "GANDataModule",
    "ImageFolder",
    "ImageNet",
    "Paired",
    "Toy2D",
    "Unpaired",
    "available",
    "create",
    "get",
]
