"""FID's formula against an independent SciPy implementation and against closed forms."""

import numpy as np
import pytest
import scipy.linalg
import torch

from ganzoo.metrics import FeatureMoments, FeatureStats, frechet_distance


def scipy_fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's reference implementation (sqrtm of the product, jitter when it is singular)."""
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean.real))


def stats(x):
    return FeatureStats(torch.from_numpy(x.mean(0)), torch.from_numpy(np.cov(x, rowvar=False)), len(x))


def test_fid_of_a_set_with_itself_is_zero():
    x = np.random.default_rng(0).normal(size=(300, 64))
    assert abs(frechet_distance(stats(x), stats(x))) < 1e-3


@pytest.mark.parametrize("n", [1000, 48, 33], ids=["well-conditioned", "n<d", "nearly-singular"])
def test_fid_matches_scipy(n):
    rng = np.random.default_rng(n)
    d = 32
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    y = rng.normal(size=(n, d)) * 2.0 + 0.5
    if n == 33:  # one direction almost without variance: the smallest eigenvalue is ~1e-12 of the largest
        x[:, -1] = x[:, 0] + 1e-6 * rng.normal(size=n)
    ours = frechet_distance(stats(x), stats(y))
    ref = scipy_fid(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert ours == pytest.approx(ref, rel=1e-4)


def test_fid_from_kept_samples_equals_fid_from_the_eigendecomposition():
    # With at most D samples the statistics keep them, and the covariance factor comes from them directly.
    g = torch.Generator().manual_seed(0)
    moments_x, moments_y = FeatureMoments(), FeatureMoments()
    moments_x.update(torch.randn(20, 64, generator=g))
    moments_y.update(torch.randn(30, 64, generator=g) * 2)
    with pytest.warns(UserWarning, match="only 20 samples"):
        x = moments_x.compute()
    with pytest.warns(UserWarning, match="only 30 samples"):
        y = moments_y.compute()
    assert x.features is not None and len(x.features) == 20
    from_samples = frechet_distance(x, y)
    from_moments = frechet_distance(FeatureStats(x.mu, x.sigma, 20), FeatureStats(y.mu, y.sigma, 30))
    ref = scipy_fid(x.mu.numpy(), x.sigma.numpy(), y.mu.numpy(), y.sigma.numpy())
    assert from_samples == pytest.approx(from_moments, rel=1e-9)
    assert from_samples == pytest.approx(ref, rel=1e-4)


def test_fid_matches_closed_form_for_diagonal_gaussians():
    # Commuting covariances: tr sqrt(S1 S2) = sum sqrt(a_i b_i),
    # so d^2 = |dmu|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    got = frechet_distance(
        FeatureStats(torch.tensor(mu1), torch.diag(torch.tensor(a))),
        FeatureStats(torch.tensor(mu2), torch.diag(torch.tensor(b))),
    )
    assert got == pytest.approx(5.0 + 4.0 + 1.0, rel=1e-12)


def test_fid_matches_closed_form_for_non_commuting_2x2():
    # For a 2x2 matrix M with positive eigenvalues, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)).
    s1 = np.array([[2.0, 0.9], [0.9, 1.0]])
    s2 = np.array([[1.0, -0.4], [-0.4, 3.0]])
    m = s1 @ s2
    trace_sqrt = np.sqrt(np.trace(m) + 2 * np.sqrt(np.linalg.det(m)))
    expected = 0.5**2 + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
    got = frechet_distance(
        FeatureStats(torch.tensor([0.5, 0.0]), torch.tensor(s1)),
        FeatureStats(torch.zeros(2, dtype=torch.float64), torch.tensor(s2)),
    )
    assert got == pytest.approx(expected, rel=1e-10)


def test_fid_of_sampled_gaussians_approaches_closed_form():
    g = torch.Generator().manual_seed(0)
    n, d = 20_000, 4
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    y = torch.randn(n, d, generator=g, dtype=torch.float64) * 2 + 1
    moments_x, moments_y = FeatureMoments(), FeatureMoments()
    for chunk in x.split(3000):
        moments_x.update(chunk)
    moments_y.update(y)
    expected = d * 1.0 + d * (1 - 2) ** 2  # |dmu|^2 + sum (sqrt(1) - sqrt(4))^2
    assert frechet_distance(moments_x.compute(), moments_y.compute()) == pytest.approx(expected, rel=0.03)


def test_streamed_moments_equal_float64_mean_and_covariance():
    x = torch.randn(257, 16, dtype=torch.float32) * 3 + 5
    moments = FeatureMoments()
    for chunk in x.split(50):
        moments.update(chunk)
    got = moments.compute()
    ref = np.cov(x.double().numpy(), rowvar=False)
    assert got.num_samples == 257
    np.testing.assert_allclose(got.mu.numpy(), x.double().mean(0).numpy(), rtol=1e-12)
    np.testing.assert_allclose(got.sigma.numpy(), ref, rtol=1e-9, atol=1e-9)


def test_fewer_samples_than_dimensions_warns():
    moments = FeatureMoments()
    moments.update(torch.randn(10, 64))
    with pytest.warns(UserWarning, match="only 10 samples"):
        moments.compute()


def test_mismatched_feature_dimensions_are_rejected():
    a = FeatureStats(torch.zeros(3, dtype=torch.float64), torch.eye(3, dtype=torch.float64))
    b = FeatureStats(torch.zeros(4, dtype=torch.float64), torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="different extractors"):
        frechet_distance(a, b)


def test_moments_keep_at_most_d_samples():
    moments = FeatureMoments()
    for _ in range(5):
        moments.update(torch.randn(7, 16))
    assert sum(len(s) for s in moments.samples) == 16  # bounded by D, however many samples follow
    assert moments.compute().features is None  # 35 samples: the kept 16 are not all of them
