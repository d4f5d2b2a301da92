"""FID: streamed feature moments of generated images against fixed reference statistics, and the
Fréchet distance between two Gaussians, the formula FID evaluates on Inception features:

    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2})

``tr((S1 S2)^{1/2})`` is the sum of square roots of the eigenvalues of ``S1 S2``. Writing ``S1 = B B^T``,
those are the eigenvalues of the symmetric PSD matrix ``B^T S2 B``, so symmetric eigensolvers in float64
do the work. ``B`` is the centered samples themselves when a side still holds all of them (fewer samples
than dimensions: ``B`` is thin and no D x D decomposition is needed), else it comes from S1's
eigendecomposition. Unlike ``scipy.linalg.sqrtm`` of the non-symmetric product, neither needs epsilon
jitter when a covariance is singular.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from ganzoo.metrics.stats import FeatureMoments, FeatureStats


def _sample_factor(stats: FeatureStats) -> Tensor | None:
    """``(F - mu)^T / sqrt(n - 1)`` when ``stats.features`` are all the samples and there are at most D."""
    f = stats.features
    if f is None or stats.num_samples != len(f) or len(f) > stats.dim:
        return None
    return (f.to(torch.float64) - stats.mu).T / math.sqrt(len(f) - 1)


def _eigen_factor(sigma: Tensor) -> Tensor:
    """``B`` with ``B @ B.T == sigma``, one column per eigenvalue above sigma's numerical-rank threshold."""
    eigvals, eigvecs = torch.linalg.eigh(sigma)
    keep = eigvals > eigvals.max().clamp(min=0) * sigma.shape[0] * torch.finfo(sigma.dtype).eps
    return eigvecs[:, keep] * eigvals[keep].sqrt()


def frechet_distance(a: FeatureStats, b: FeatureStats) -> float:
    """FID between the two feature distributions (float64 throughout)."""
    if a.dim != b.dim:
        raise ValueError(
            f"feature dimensions differ ({a.dim} vs {b.dim}): the statistics come from different extractors"
        )
    factor, other = _sample_factor(a), b
    if factor is None:
        factor, other = _sample_factor(b), a
    if factor is None:
        factor, other = _eigen_factor(a.sigma), b
    middle = factor.T @ other.sigma @ factor
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    diff = a.mu - b.mu
    return float(diff @ diff + a.sigma.trace() + b.sigma.trace() - 2 * trace_sqrt)


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
