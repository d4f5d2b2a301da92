"""DataModules by name: ``ganzoo.data.create("mnist", data_dir=...)``; ``available()`` lists them."""

from ganzoo.data.base import DatasetNotFoundError, GANDataModule
from ganzoo.data.celeba import CelebA
from ganzoo.data.cifar10 import CIFAR10
from ganzoo.data.image_folder import ImageFolder
from ganzoo.data.imagenet import ImageNet
from ganzoo.data.mnist import MNIST, FashionMNIST
from ganzoo.data.paired import Paired
from ganzoo.data.registry import available, create, get, register
from ganzoo.data.toy2d import Toy2D
from ganzoo.data.unpaired import Unpaired

__all__ = [
    "CIFAR10",
    "MNIST",
    "CelebA",
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
    "register",
]
