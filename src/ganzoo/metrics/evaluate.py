"""Generating a model's share of samples with seeds that do not depend on the number of processes."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from torch import Tensor

from ganzoo.metrics.suite import GenerativeMetrics


def generate(
    model: Any, num_samples: int, *, batch_size: int = 50, seed: int = 0, rank: int = 0, world_size: int = 1
) -> Iterator[Tensor]:
    """This process's chunks of ``model.sample``: chunk c (of ``batch_size`` images) goes to rank
    ``c % world_size`` and is drawn with seed ``(seed << 32) + c``, so the union over ranks is the same
    images for every world size."""
    if num_samples < 1 or batch_size < 1:
        raise ValueError(f"num_samples and batch_size must be >= 1, got {num_samples} and {batch_size}")
    for chunk in range(rank, math.ceil(num_samples / batch_size), world_size):
        n = min(batch_size, num_samples - chunk * batch_size)
        yield model.sample(n, seed=(seed << 32) + chunk)


def evaluate(
    model: Any,
    metrics: GenerativeMetrics,
    num_samples: int,
    *,
    batch_size: int = 50,
    seed: int = 0,
    rank: int = 0,
    world_size: int = 1,
) -> dict[str, Any]:
    """Measure ``metrics`` on ``num_samples`` images of ``model``; returns the values and the protocol."""
    metrics.reset()
    for images in generate(
        model, num_samples, batch_size=batch_size, seed=seed, rank=rank, world_size=world_size
    ):
        metrics.update(images)
    values = metrics.compute()
    protocol = metrics.protocol()
    protocol["sample_seed"] = seed
    return {**values, "protocol": protocol}
