"""Reference statistics are trusted only while they match what made them; FID refuses mixed resolutions."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from ganzoo.data.base import UInt8ImageDataset
from ganzoo.metrics import FeatureStats, GenerativeMetrics
from ganzoo.metrics.stats import reference_stats

from .helpers import SyntheticImages, tiny_extractor
from .test_reference_and_suite import Counting


class FolderImages(SyntheticImages):
    """SyntheticImages whose pixels are read from a file in ``data_dir``, so replacing it changes the data."""

    def dataset(self, split):
        images = torch.from_numpy(np.load(self.data_dir / "images.npy"))
        return UInt8ImageDataset(images, torch.zeros(len(images), dtype=torch.long))


def write_images(folder, seed):
    rng = np.random.default_rng(seed)
    np.save(folder / "images.npy", rng.integers(0, 256, (32, 1, 8, 8), dtype=np.uint8))


def test_a_damaged_cached_file_is_deleted_and_recomputed(tmp_path):
    dm = SyntheticImages(data_dir=tmp_path / "data", image_size=8)
    cache = tmp_path / "cache"
    extractor = Counting(tiny_extractor())
    first = reference_stats(dm, "train", extractor=extractor, cache_dir=cache)
    (path,) = cache.glob("*.npz")
    with np.load(path) as f:
        arrays = dict(f)
    arrays["mu"] = arrays["mu"] + 0.5  # a silent edit; the stored checksum still says the old arrays
    np.savez(path, **arrays)
    with pytest.warns(RuntimeWarning, match=r"is damaged: its arrays no longer match the checksum"):
        again = reference_stats(dm, "train", extractor=extractor, cache_dir=cache)
    assert extractor.images == 2 * 64, "the damaged file must be recomputed, not used"
    torch.testing.assert_close(again.mu, first.mu)
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.warns(RuntimeWarning, match="is damaged and cannot be read"):
        reference_stats(dm, "train", extractor=extractor, cache_dir=cache)
    assert extractor.images == 3 * 64


def test_statistics_of_a_dataset_whose_images_changed_are_recomputed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_images(data, 0)
    dm = FolderImages(data_dir=data, image_size=8)
    extractor = Counting(tiny_extractor())
    first = reference_stats(dm, "train", extractor=extractor, cache_dir=tmp_path / "cache")
    reference_stats(dm, "train", extractor=extractor, cache_dir=tmp_path / "cache")
    assert extractor.images == 32  # unchanged data: read from the cache
    write_images(data, 1)
    second = reference_stats(dm, "train", extractor=extractor, cache_dir=tmp_path / "cache")
    assert extractor.images == 64 and not torch.equal(first.mu, second.mu)
    assert first.meta["contents"] != second.meta["contents"]


def test_non_finite_statistics_are_refused():
    with pytest.raises(ValueError, match="holds NaN or Inf"):
        FeatureStats(torch.tensor([0.0, float("nan")]), torch.eye(2))


def test_mixed_or_mismatched_resolutions_are_refused(tmp_path):
    dm = SyntheticImages(data_dir=tmp_path, image_size=8)
    reference = reference_stats(dm, "train", extractor=tiny_extractor(), cache_dir=tmp_path)
    suite = GenerativeMetrics(reference, tiny_extractor(), ["fid"])
    suite.update(torch.rand(4, 1, 8, 8) * 2 - 1)
    with pytest.raises(ValueError, match=r"images of shape \(1, 16, 16\) after images of shape \(1, 8, 8\)"):
        suite.update(torch.rand(4, 1, 16, 16) * 2 - 1)
    suite.reset()
    with pytest.raises(ValueError, match=r"the images are 16x16 but the reference statistics \(synthetic\)"):
        suite.update(torch.rand(4, 1, 16, 16) * 2 - 1)


def test_the_checksum_is_verified_once_then_the_seal_skips_it(tmp_path, monkeypatch):
    dm = SyntheticImages(data_dir=tmp_path / "data", image_size=8)
    cache = tmp_path / "cache"
    reference_stats(dm, "train", extractor=tiny_extractor(), cache_dir=cache)
    (path,) = cache.glob("*.npz")
    hashed = []
    original = FeatureStats.checksum
    monkeypatch.setattr(FeatureStats, "checksum", lambda self: hashed.append(1) or original(self))
    reference_stats(dm, "train", extractor=tiny_extractor(), cache_dir=cache)
    assert hashed == []  # sealed when written: size and mtime unchanged, nothing hashed
    os.utime(path, (1, 1))  # changed mtime: verified again, then sealed anew
    reference_stats(dm, "train", extractor=tiny_extractor(), cache_dir=cache)
    reference_stats(dm, "train", extractor=tiny_extractor(), cache_dir=cache)
    assert hashed == [1]
