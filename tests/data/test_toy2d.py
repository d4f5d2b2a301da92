"""The labelled 2-D mixtures: each class is its own mode, and the checks that conditional tests rely on."""

from __future__ import annotations

import math

import torch

from ganzoo.data import Toy2D
from ganzoo.data.toy2d import mixture_modes, mode_accuracy, nearest_mode


def test_each_label_is_the_mode_its_point_was_drawn_from() -> None:
    points, labels = Toy2D(mixture="grid25", std=0.05, num_samples=2000).dataset("train").tensors
    assert set(labels.tolist()) == set(range(25))
    nearest = nearest_mode(points, mixture_modes("grid25"), 0.05)
    within = nearest >= 0
    assert torch.equal(nearest[within], labels[within])
    # The distance of a 2-D Gaussian point to its centre is Rayleigh: P(r <= 3 std) = 1 - exp(-9/2) = 0.989,
    # so even real data puts ~1.1% of its points outside the 3-std radius.
    assert abs(within.float().mean().item() - (1 - math.exp(-4.5))) < 0.01


def test_nearest_mode_marks_points_off_every_mode() -> None:
    modes = mixture_modes("ring8")
    points = torch.cat([modes[[3, 5]] + torch.tensor([[0.14, 0.0], [0.0, -0.1]]), torch.zeros(1, 2)])
    assert nearest_mode(points, modes, std=0.05).tolist() == [3, 5, -1]  # radius 3 std = 0.15
    assert nearest_mode(modes[[3]] + torch.tensor([[0.16, 0.0]]), modes, std=0.05).tolist() == [-1]


def test_mode_accuracy_counts_only_the_requested_mode_per_class() -> None:
    modes = mixture_modes("ring8")
    labels = torch.tensor([0, 0, 0, 0, 1, 1, 2])
    samples = modes[
        [0, 0, 0, 4, 1, 2, 2]
    ].clone()  # class 0: 3 of 4 on its mode; class 1: 1 of 2 (other: mode 2)
    samples[2] += 0.2  # off by 0.2 * sqrt(2) > 3 std
    accuracy = mode_accuracy(samples, labels, modes, std=0.05)
    assert accuracy[:3].tolist() == [0.5, 0.5, 1.0]
    assert accuracy[3:].isnan().all()  # no samples asked for those classes
