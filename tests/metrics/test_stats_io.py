"""Reference statistics files: ganzoo's own, and pytorch-fid / clean-fid ``.npz`` in both directions."""

import numpy as np
import pytest
import torch

from ganzoo.metrics import FeatureStats


def test_round_trip_keeps_float64_statistics_features_and_meta(tmp_path):
    x = torch.randn(50, 6, dtype=torch.float64)
    stats = FeatureStats.from_features(x, features=x[:10].float(), meta={"dataset": "mnist", "split": "test"})
    loaded = FeatureStats.load(stats.save(tmp_path / "ref.npz"))
    assert loaded.mu.dtype == loaded.sigma.dtype == torch.float64
    assert torch.equal(loaded.mu, stats.mu) and torch.equal(loaded.sigma, stats.sigma)
    assert loaded.num_samples == 50 and loaded.meta == {"dataset": "mnist", "split": "test"}
    assert torch.equal(loaded.features, x[:10].float())


def test_exported_file_reads_like_pytorch_fid(tmp_path):
    stats = FeatureStats.from_features(torch.randn(20, 4, dtype=torch.float64))
    path = stats.save(tmp_path / "export.npz")
    with np.load(path) as f:  # what pytorch-fid's compute_statistics_of_path does with an .npz
        mu, sigma = f["mu"][:], f["sigma"][:]
    assert mu.dtype == sigma.dtype == np.float64
    np.testing.assert_array_equal(mu, stats.mu.numpy())
    np.testing.assert_array_equal(sigma, stats.sigma.numpy())


def test_imports_a_pytorch_fid_or_clean_fid_file(tmp_path):
    mu, sigma = np.arange(3, dtype=np.float32), np.eye(3, dtype=np.float32) * 2  # float32, as some tools save
    np.savez(tmp_path / "clean.npz", mu=mu, sigma=sigma)
    stats = FeatureStats.load(tmp_path / "clean.npz")
    assert stats.mu.dtype == torch.float64 and stats.num_samples is None and stats.features is None
    np.testing.assert_array_equal(stats.sigma.numpy(), sigma)


def test_bad_files_and_shapes_are_rejected(tmp_path):
    np.savez(tmp_path / "other.npz", mean=np.zeros(3))
    with pytest.raises(ValueError, match=r"not a FID statistics file: no \['mu', 'sigma'\]"):
        FeatureStats.load(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="sigma"):
        FeatureStats(torch.zeros(3), torch.eye(4))
    with pytest.raises(ValueError, match="features must be"):
        FeatureStats(torch.zeros(3), torch.eye(3), features=torch.zeros(5, 4))
