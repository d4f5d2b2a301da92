"""Precision, recall (Kynkaanniemi et al. 2019), density and coverage (Naeem et al. 2020) on k-NN balls.

Each real feature gets a ball reaching its k-th nearest real neighbour, each generated feature one reaching
its k-th nearest generated neighbour. Precision is the share of generated samples inside some real ball,
recall the share of real samples inside some generated ball; density counts how many real balls hold each
generated sample (divided by k, so ~1 when the two distributions match), coverage is the share of real balls
that hold at least one generated sample. Definitions, strict inequalities and the k-th neighbour (the
sample itself counted as the 0th) follow the ``prdc`` package of Naeem et al., which a test matches to 1e-6.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torchmetrics import Metric
from torchmetrics.utilities import dim_zero_cat

from ganzoo.metrics.stats import FeatureStats

ROWS = 1024  # distance rows held at once: 1024 x 10,000 float64 is 80 MB


def knn_radii(features: Tensor, k: int) -> Tensor:
    """Distance from each row to its k-th nearest other row (the row itself is the 0th)."""
    if len(features) <= k:
        raise ValueError(f"k-NN balls with k={k} need more than {k} samples, got {len(features)}")
    return torch.cat(
        [torch.cdist(chunk, features).kthvalue(k + 1, dim=1).values for chunk in features.split(ROWS)]
    )


def prdc(real: Tensor, fake: Tensor, nearest_k: int = 5) -> dict[str, float]:
    """Precision, recall, density and coverage of ``fake`` (M, D) against ``real`` (N, D), in float64, with
    the distances computed a block of rows at a time (memory O(ROWS x max(N, M)), not N x M)."""
    real, fake = real.to(torch.float64), fake.to(torch.float64)
    real_radii, fake_radii = knn_radii(real, nearest_k), knn_radii(fake, nearest_k)
    balls_holding = torch.zeros(len(fake), dtype=torch.long, device=fake.device)
    recalled, covered = [], []
    for rows, radii in zip(real.split(ROWS), real_radii.split(ROWS), strict=True):
        d = torch.cdist(rows, fake)  # (rows, M)
        inside = d < radii[:, None]
        balls_holding += inside.sum(0)
        recalled.append((d < fake_radii[None, :]).any(1))
        covered.append(inside.any(1))
    return {
        "precision": (balls_holding > 0).double().mean().item(),
        "recall": torch.cat(recalled).double().mean().item(),
        "density": balls_holding.double().mean().item() / nearest_k,
        "coverage": torch.cat(covered).double().mean().item(),
    }


class PRDC(Metric):
    """Precision, recall, density and coverage of the features passed to ``update`` against a reference.

    Like KID it needs raw features on both sides: the generated ones are kept (float32, N x D; under DDP
    gathered from every rank in ``compute()``), the real ones are ``reference.features``.

    Args:
        reference: real-data statistics that include a ``features`` sample.
        nearest_k: k of the k-NN balls (5, as Naeem et al. recommend).
    """

    full_state_update = False
    higher_is_better = True

    def __init__(self, reference: FeatureStats, nearest_k: int = 5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if reference.features is None:
            raise ValueError(
                "precision/recall/density/coverage need a sample of reference features, and these statistics "
                "have only mu and sigma (e.g. imported from a pytorch-fid .npz); compute them with "
                "ganzoo.metrics.reference_stats"
            )
        if nearest_k < 1:
            raise ValueError(f"nearest_k must be >= 1, got {nearest_k}")
        self.reference, self.nearest_k = reference, nearest_k
        self.add_state("features", default=[], dist_reduce_fx="cat")

    def update(self, features: Tensor) -> None:
        self.features.append(features.detach().float().flatten(1))

    def compute(self) -> dict[str, float]:
        fake = dim_zero_cat(self.features)
        return prdc(self.reference.features.to(fake.device), fake, self.nearest_k)
