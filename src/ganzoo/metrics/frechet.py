"""The Fréchet distance between two Gaussians, the formula FID evaluates on Inception features.

    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2})

``tr((S1 S2)^{1/2})`` is computed as the sum of square roots of the eigenvalues of the symmetric PSD
matrix ``S1^{1/2} S2 S1^{1/2}`` (same spectrum as ``S1 S2``), in float64. Unlike ``scipy.linalg.sqrtm`` of
the non-symmetric product, this needs no epsilon jitter when a covariance is singular, as it is whenever
there are fewer samples than feature dimensions.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ganzoo.metrics.stats import FeatureStats


def _psd_sqrt(sigma: Tensor) -> Tensor:
    eigvals, eigvecs = torch.linalg.eigh(sigma)
    return (eigvecs * eigvals.clamp(min=0).sqrt()) @ eigvecs.T


def frechet_distance(a: FeatureStats, b: FeatureStats) -> float:
    """FID between the two feature distributions (float64 throughout)."""
    if a.dim != b.dim:
        raise ValueError(
            f"feature dimensions differ ({a.dim} vs {b.dim}): the statistics come from different extractors"
        )
    root = _psd_sqrt(a.sigma)
    middle = root @ b.sigma @ root
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    diff = a.mu - b.mu
    return float(diff @ diff + a.sigma.trace() + b.sigma.trace() - 2 * trace_sqrt)
