"""KID: the unbiased polynomial-kernel MMD between generated and reference features, over random subsets."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torchmetrics import Metric
from torchmetrics.image.kid import poly_mmd
from torchmetrics.utilities import dim_zero_cat

from ganzoo.metrics.stats import FeatureStats


class KID(Metric):
    """Kernel Inception Distance (Binkowski et al. 2018), mean and std over ``subsets`` subset pairs.

    The kernel is ``(x . y / D + 1) ** 3`` and the MMD estimator the unbiased one (torchmetrics'
    ``poly_mmd``), so two samples of one distribution score 0 on average. Unlike FID, KID needs raw
    features: the generated ones are kept (float32, N x D) and the reference ones come from
    ``reference.features``. Subsets are drawn without replacement from a generator seeded with ``seed``,
    so a value is reproducible.

    Args:
        reference: real-data statistics that include a ``features`` sample.
        subsets: number of subset pairs (100 in the standard protocol).
        subset_size: samples per subset (1000 in the standard protocol).
        seed: seed of the subset draws.
    """

    higher_is_better = False
    full_state_update = False

    def __init__(
        self,
        reference: FeatureStats,
        subsets: int = 100,
        subset_size: int = 1000,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if reference.features is None:
            raise ValueError(
                "KID needs a sample of reference features, and these statistics have only mu and sigma "
                "(e.g. imported from a pytorch-fid .npz); compute them with ganzoo.metrics.reference_stats"
            )
        self.reference = reference
        self.subsets, self.subset_size, self.seed = subsets, subset_size, seed
        self.add_state("features", default=[], dist_reduce_fx="cat")

    def update(self, features: Tensor) -> None:
        self.features.append(features.detach().float().flatten(1))

    def compute(self) -> tuple[Tensor, Tensor]:
        fake = dim_zero_cat(self.features).to(torch.float64)
        real = self.reference.features.to(fake.device, torch.float64)
        smallest = min(len(fake), len(real))
        if smallest < self.subset_size:
            raise ValueError(
                f"KID subsets of {self.subset_size} need that many samples on each side; got {len(fake)} "
                f"generated and {len(real)} reference. Pass a subset size <= {smallest} (and record it)."
            )
        rng = torch.Generator().manual_seed(self.seed)
        scores = torch.stack(
            [
                poly_mmd(
                    real[torch.randperm(len(real), generator=rng)[: self.subset_size]],
                    fake[torch.randperm(len(fake), generator=rng)[: self.subset_size]],
                )
                for _ in range(self.subsets)
            ]
        )
        return scores.mean(), scores.std(unbiased=False)
