"""Reference statistics (computed once per dataset, split, resolution, extractor), the suite, its protocol."""

import pytest
import torch

from ganzoo.metrics import FeatureExtractor, FeatureStats, GenerativeMetrics, InceptionV3, evaluate, generate
from ganzoo.metrics.stats import reference_stats

from .helpers import SyntheticImages, tiny_extractor, tiny_gan


class Counting(torch.nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module, self.images = module, 0

    def forward(self, x):
        self.images += len(x)
        return self.module(x)


def test_reference_is_computed_once_then_read_from_the_cache(tmp_path):
    dm = SyntheticImages(data_dir=tmp_path, image_size=8)
    extractor = Counting(tiny_extractor())
    first = reference_stats(dm, "train", extractor=extractor, batch_size=20, cache_dir=tmp_path)
    assert extractor.images == 64
    again = reference_stats(dm, "train", extractor=extractor, cache_dir=tmp_path)
    assert extractor.images == 64  # nothing recomputed
    assert torch.equal(first.mu, again.mu) and torch.equal(first.sigma, again.sigma)
    assert again.meta["split"] == "train" and again.meta["image_size"] == 8 and again.num_samples == 64
    reference_stats(dm, "test", extractor=extractor, cache_dir=tmp_path)
    reference_stats(
        SyntheticImages(data_dir=tmp_path, image_size=16), "train", extractor=extractor, cache_dir=tmp_path
    )
    assert extractor.images == 3 * 64 and len(list(tmp_path.glob("*.npz"))) == 3


def test_reference_equals_the_statistics_of_all_features(tmp_path):
    dm = SyntheticImages(data_dir=tmp_path, image_size=8)
    extractor = FeatureExtractor(tiny_extractor())
    stats = reference_stats(
        dm, "test", extractor=extractor, batch_size=7, kid_features=10, cache_dir=tmp_path
    )
    images = torch.stack([img for img, _ in dm.dataset("test")])
    direct = FeatureStats.from_features(extractor(images)[0])
    # float32 features of batches of 7 vs one batch of 64 differ in the last bits only
    torch.testing.assert_close(stats.mu, direct.mu, rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(stats.sigma, direct.sigma, rtol=1e-6, atol=1e-9)
    assert stats.features.shape == (10, 6)


def test_reference_subset_size_is_checked(tmp_path):
    with pytest.raises(ValueError, match=r"num_samples must be in \[2, 64\]"):
        reference_stats(
            SyntheticImages(data_dir=tmp_path, image_size=8), extractor=tiny_extractor(), num_samples=100
        )


def test_generation_does_not_depend_on_the_number_of_processes():
    gan = tiny_gan()
    alone = torch.cat(list(generate(gan, 50, batch_size=8, seed=1)))
    shards = [list(generate(gan, 50, batch_size=8, seed=1, rank=r, world_size=3)) for r in range(3)]
    interleaved = [shards[c % 3][c // 3] for c in range(7)]
    assert alone.shape[0] == 50 and torch.equal(torch.cat(interleaved), alone)


def test_evaluation_is_reproducible_and_records_its_protocol(tmp_path):
    reference = reference_stats(SyntheticImages(data_dir=tmp_path, image_size=8), extractor=tiny_extractor())
    suite = GenerativeMetrics(reference, tiny_extractor(), is_splits=2, kid_subsets=3, kid_subset_size=16)
    first = evaluate(tiny_gan(), suite, 40, batch_size=16, seed=5)
    second = evaluate(tiny_gan(), suite, 40, batch_size=16, seed=5)
    assert first == second
    assert set(first) == {"fid", "is", "is_std", "kid", "kid_std", "protocol"}
    protocol = first["protocol"]
    assert protocol["num_samples"] == 40 and protocol["sample_seed"] == 5
    assert protocol["extractor"] == "Sequential" and protocol["quantize"].startswith("8-bit")
    assert protocol["reference"]["dataset"] == "synthetic" and protocol["reference"]["num_samples"] == 64
    assert protocol["kid"]["subset_size"] == 16 and protocol["is_splits"].startswith("2 ")


def test_metrics_that_cannot_be_measured_are_refused_with_the_reason():
    stats = FeatureStats(torch.zeros(2048, dtype=torch.float64), torch.eye(2048, dtype=torch.float64))
    no_classifier = InceptionV3(with_classifier=False)
    with pytest.raises(ValueError, match="classifier layer is only in torch-fidelity's weights"):
        GenerativeMetrics(stats, no_classifier, ["is"])
    with pytest.raises(ValueError, match="no feature sample"):
        GenerativeMetrics(stats, no_classifier, ["kid"])
    with pytest.raises(ValueError, match="unknown metric 'fd'"):
        GenerativeMetrics(stats, no_classifier, ["fd"])
    assert list(GenerativeMetrics(stats, no_classifier).metrics) == ["fid"]
