"""FID: streamed feature moments of generated images against fixed reference statistics."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ganzoo.metrics.frechet import frechet_distance
from ganzoo.metrics.stats import FeatureMoments, FeatureStats


class FID(FeatureMoments):
    """Fréchet Inception Distance (Heusel et al. 2017) of the features passed to ``update``.

    Only the running sums are kept (one D x D float64 matrix), so the number of samples is not bounded by
    memory; under DDP the sums of all ranks are reduced once, in ``compute()``.

    Args:
        reference: statistics of the real data, from ``reference_stats`` or ``FeatureStats.load``.
    """

    higher_is_better = False

    def __init__(self, reference: FeatureStats, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reference = reference

    def compute(self) -> Tensor:
        return torch.tensor(frechet_distance(super().compute(), self.reference), dtype=torch.float64)
