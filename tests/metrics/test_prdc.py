"""Precision / recall / density / coverage: their limits, the prdc package's values, shards, and the suite."""

from __future__ import annotations

import pytest
import torch

from ganzoo.metrics import PRDC, FeatureStats, GenerativeMetrics, prdc

from .helpers import tiny_extractor


def reference(features: torch.Tensor) -> FeatureStats:
    return FeatureStats.from_features(features, features=features)


def test_identical_sets_are_fully_precise_recalled_and_covered() -> None:
    x = torch.randn(200, 16, generator=torch.Generator().manual_seed(0))
    out = prdc(x, x.clone(), nearest_k=5)
    assert out["precision"] == out["recall"] == out["coverage"] == 1.0
    assert 0.5 < out["density"] < 1.5  # ~1 when the distributions match; not exactly 1


def test_disjoint_sets_score_zero() -> None:
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(200, 16, generator=g), torch.randn(150, 16, generator=g) + 100.0
    assert prdc(real, fake, nearest_k=5) == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_a_generator_that_covers_half_the_data_has_half_the_recall() -> None:
    """Two well separated modes in the data, fakes from only one: precise, but half recalled / covered."""
    g = torch.Generator().manual_seed(0)
    real = torch.cat([torch.randn(300, 8, generator=g), torch.randn(300, 8, generator=g) + 50])
    fake = torch.randn(300, 8, generator=g)
    out = prdc(real, fake, nearest_k=5)
    assert out["precision"] > 0.9
    assert 0.4 < out["recall"] <= 0.5 and 0.4 < out["coverage"] <= 0.5


def test_matches_the_prdc_package() -> None:
    compute_prdc = pytest.importorskip(
        "prdc", reason="the prdc package (Naeem et al.'s reference code; test extra) is not installed"
    ).compute_prdc
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(700, 32, generator=g), torch.randn(500, 32, generator=g) * 1.3 + 0.2
    theirs = compute_prdc(real.numpy(), fake.numpy(), nearest_k=5)
    ours = prdc(real, fake, nearest_k=5)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == pytest.approx(float(theirs[key]), abs=1e-6), key


def test_two_shards_merge_to_the_single_process_value() -> None:
    g = torch.Generator().manual_seed(1)
    real, fake = torch.randn(300, 8, generator=g), torch.randn(120, 8, generator=g)
    whole, rank0, rank1 = (PRDC(reference(real)) for _ in range(3))
    whole.update(fake)
    rank0.update(fake[:50])
    rank1.update(fake[50:])
    rank0.merge_state(rank1)  # the reduction torchmetrics applies across processes (cat)
    assert rank0.compute() == whole.compute()


def test_needs_reference_features() -> None:
    moments_only = FeatureStats(torch.zeros(4), torch.eye(4))
    with pytest.raises(ValueError, match="sample of reference features"):
        PRDC(moments_only)
    with pytest.raises(ValueError, match="need more than 5 samples"):
        prdc(torch.randn(5, 4), torch.randn(10, 4))


def test_the_suite_reports_them_beside_fid_with_their_protocol() -> None:
    extractor = tiny_extractor()
    g = torch.Generator().manual_seed(0)
    real_images = torch.rand(40, 1, 8, 8, generator=g) * 2 - 1
    with torch.no_grad():
        features = extractor(real_images)
    suite = GenerativeMetrics(reference(features), extractor, ["fid", "prdc"], nearest_k=3)
    suite.update(real_images)
    out = suite.compute()
    assert {"fid", "precision", "recall", "density", "coverage"} == set(out)
    assert out["precision"] == out["recall"] == out["coverage"] == 1.0  # the reference's own images
    assert suite.protocol()["prdc"]["nearest_k"] == 3
    assert "prdc" not in GenerativeMetrics(reference(features), extractor).metrics  # only on request
