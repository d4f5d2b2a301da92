"""IS against its limiting cases and against torchmetrics."""

import math

import pytest
import torch
from torchmetrics.image.inception import InceptionScore as TMInceptionScore

from ganzoo.metrics import InceptionScore


def confident_logits(labels, k):
    return torch.nn.functional.one_hot(labels, k).double() * 50.0


def test_identical_predictions_score_one():
    metric = InceptionScore(splits=4)
    metric.update(torch.randn(1, 10).repeat(64, 1))
    mean, std = metric.compute()
    assert float(mean) == pytest.approx(1.0, abs=1e-9)
    assert float(std) == pytest.approx(0.0, abs=1e-9)


def test_confident_predictions_spread_over_k_classes_score_k():
    k = 7
    metric = InceptionScore(splits=3)
    for chunk in confident_logits(torch.arange(k * 30) % k, k).split(25):  # streaming in uneven batches
        metric.update(chunk)
    mean, _ = metric.compute()
    assert float(mean) == pytest.approx(k, rel=1e-6)


def test_matches_torchmetrics_with_one_split():
    logits = torch.randn(200, 12) * 3
    ours = InceptionScore(splits=1)
    ours.update(logits[:80])
    ours.update(logits[80:])
    ref = TMInceptionScore(feature=torch.nn.Identity(), splits=1)
    ref.update(logits)
    assert float(ours.compute()[0]) == pytest.approx(float(ref.compute()[0]), rel=1e-5)


def test_splits_are_round_robin_and_scored_separately():
    # Split 0 gets class 0 and 1 alternately (IS 2), split 1 always class 2 (IS 1).
    labels = torch.tensor([0, 2, 1, 2] * 10)
    metric = InceptionScore(splits=2)
    metric.update(confident_logits(labels, 3))
    mean, std = metric.compute()
    assert float(mean) == pytest.approx(1.5, rel=1e-6)
    assert float(std) == pytest.approx(0.5, rel=1e-6)
    assert math.isfinite(float(std))


def test_too_few_samples_for_the_splits_is_an_error():
    metric = InceptionScore(splits=10)
    metric.update(torch.randn(5, 3))
    with pytest.raises(ValueError, match="at least 10 samples"):
        metric.compute()
