"""KID against an independent float64 NumPy estimator, and its unbiasedness."""

import numpy as np
import pytest
import torch

from ganzoo.metrics import KID, FeatureStats


def numpy_kid(x, y):
    """Unbiased MMD^2 with the kernel (x.y/d + 1)^3 (Binkowski et al. 2018, eq. 4)."""
    d, m = x.shape[1], x.shape[0]
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return (
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * kxy.sum() / m**2
    )


def reference(features):
    f = features.double()
    return FeatureStats(f.mean(0), torch.cov(f.T), len(f), features=features)


def test_matches_numpy_when_the_subset_is_everything():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(120, 16, generator=g), torch.randn(120, 16, generator=g) * 1.5 + 0.3
    kid = KID(reference(real), subsets=3, subset_size=120)
    kid.update(fake[:50])
    kid.update(fake[50:])
    mean, std = kid.compute()
    assert float(mean) == pytest.approx(numpy_kid(real.double().numpy(), fake.double().numpy()), rel=1e-6)
    assert float(std) == pytest.approx(0.0, abs=1e-9)  # every subset is the whole set, permuted


def test_unbiased_for_two_samples_of_one_distribution():
    # Over independent pairs of samples of one distribution the estimates average to 0 (within 3 standard
    # errors), while a small shift is detected far outside that band.
    g = torch.Generator().manual_seed(1)

    def estimate(shift):
        kid = KID(reference(torch.randn(100, 16, generator=g)), subsets=1, subset_size=100)
        kid.update(torch.randn(100, 16, generator=g) + shift)
        return float(kid.compute()[0])

    same = np.array([estimate(0.0) for _ in range(100)])
    stderr = same.std(ddof=1) / np.sqrt(len(same))
    assert abs(same.mean()) < 3 * stderr
    assert estimate(0.5) > 10 * (abs(same.mean()) + 3 * stderr)


def test_reproducible_with_a_seed():
    real, fake = torch.randn(300, 8), torch.randn(300, 8)
    values = []
    for _ in range(2):
        kid = KID(reference(real), subsets=5, subset_size=50, seed=3)
        kid.update(fake)
        values.append(float(kid.compute()[0]))
    assert values[0] == values[1]


def test_needs_reference_features_and_enough_samples():
    stats = FeatureStats(torch.zeros(4, dtype=torch.float64), torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="needs a sample of reference features"):
        KID(stats)
    kid = KID(reference(torch.randn(50, 4)), subset_size=100)
    kid.update(torch.randn(50, 4))
    with pytest.raises(ValueError, match="subset size <= 50"):
        kid.compute()
