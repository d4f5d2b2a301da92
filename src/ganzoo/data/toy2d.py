"""2-D mixtures of Gaussians: the standard mode-collapse benchmark (Metz et al. 2017; Srivastava et al. 2017).

``ring8``: 8 modes on a circle of radius 2; ``grid25``: a 5x5 grid with spacing 2 on [-4, 4]^2. Each point's
label is the index of its mode, so the same data serves the class-conditional papers: each class is its own
mode, and ``mode_accuracy`` checks that a conditional generator puts its samples on the requested one.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import torch
from torch import Tensor
from torch.utils.data import Dataset, TensorDataset

from ganzoo.data.base import GANDataModule
from ganzoo.registry import DATASETS

Mixture = Literal["ring8", "grid25"]


def mixture_modes(mixture: Mixture) -> Tensor:
    """The (K, 2) mode centres of a mixture."""
    if mixture == "ring8":
        angles = torch.arange(8) * (2 * math.pi / 8)
        return 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)
    if mixture == "grid25":
        ticks = torch.arange(-4.0, 5.0, 2.0)
        return torch.cartesian_prod(ticks, ticks)
    raise ValueError(f"unknown mixture {mixture!r}; choose 'ring8' or 'grid25'")


def sample_mixture(
    mixture: Mixture, n: int, std: float, generator: torch.Generator | None = None
) -> tuple[Tensor, Tensor]:
    """``n`` points and their mode labels, modes chosen uniformly."""
    modes = mixture_modes(mixture)
    labels = torch.randint(len(modes), (n,), generator=generator)
    return modes[labels] + std * torch.randn(n, 2, generator=generator), labels


def nearest_mode(samples: Tensor, modes: Tensor, std: float) -> Tensor:
    """The index of each sample's nearest mode, or -1 when it lies farther than 3 ``std`` from every mode."""
    dist, nearest = torch.cdist(samples.float(), modes.float()).min(dim=1)
    return torch.where(dist <= 3 * std, nearest, -1)


def mode_coverage(samples: Tensor, modes: Tensor, std: float, min_fraction: float = 0.0) -> tuple[int, float]:
    """(modes covered, fraction of high-quality samples), as in VEEGAN / Unrolled GAN.

    A sample is high quality when it lies within 3 ``std`` of its nearest mode; a mode is covered when
    more than ``min_fraction`` of all samples are high-quality samples assigned to it.
    """
    nearest = nearest_mode(samples, modes, std)
    good = nearest >= 0
    counts = torch.bincount(nearest[good], minlength=len(modes)).float() / len(samples)
    return int((counts > min_fraction).sum()), float(good.float().mean())


def mode_accuracy(samples: Tensor, labels: Tensor, modes: Tensor, std: float) -> Tensor:
    """Per class, the fraction of its samples within 3 ``std`` of that class's own mode (label = mode index).

    The check for class-conditional models: ``samples[i]`` was asked for class ``labels[i]``. Classes without
    samples get NaN.
    """
    hit = (samples.float() - modes.float()[labels]).norm(dim=1) <= 3 * std
    total = torch.bincount(labels, minlength=len(modes)).float()
    return torch.bincount(labels[hit], minlength=len(modes)).float() / total


@DATASETS.register
class Toy2D(GANDataModule):
    """Args: ``mixture`` (``ring8``, ``grid25``), ``std`` per mode, ``num_samples`` per split, ``seed``."""

    name = "toy2d"
    channels = 0
    data_shape = (2,)

    def __init__(
        self,
        mixture: Mixture = "ring8",
        std: float = 0.02,
        num_samples: int = 20_000,
        batch_size: int = 256,
        seed: int = 0,
        num_workers: int = 0,
    ) -> None:
        super().__init__(
            data_dir=None, image_size=0, batch_size=batch_size, num_workers=num_workers, download=False
        )
        self.mixture, self.std, self.num_samples, self.seed = mixture, std, num_samples, seed
        self.modes = mixture_modes(mixture)

    def model_arguments(self) -> dict[str, Any]:
        """2-D points, labelled by mode."""
        return {"data_shape": self.data_shape, "num_classes": len(self.modes)}

    def dataset(self, split: str) -> Dataset:
        self.check_split(split)
        rng = torch.Generator().manual_seed(self.seed + self.splits.index(split))
        return TensorDataset(*sample_mixture(self.mixture, self.num_samples, self.std, rng))
