"""Turning generator output ([-1, 1] tensors) into image files."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor
from torchvision.utils import make_grid, save_image

MIN_VIEW_SIZE = 128
"""Pixels below which a single image (a GIF frame) is enlarged to be seen: MNIST's 32x32 is a speck."""


def grid_columns(n: int) -> int:
    """Columns for ``n`` images: between a square's side and twice it, the count that leaves the fewest
    empty cells (none where ``n`` factors so: 8 -> 4 x 2, 12 -> 4 x 3), the squarer one on a tie."""
    side = max(1, math.isqrt(n - 1) + 1) if n > 0 else 1
    return min(range(side, 2 * side + 1), key=lambda c: (c * math.ceil(n / c) - n, c))


def to_grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> Tensor:
    """A (C, H, W) grid in [0, 1] from a (N, C, H, W) batch in [-1, 1]; ``nrow`` (images per row) defaults
    to ``grid_columns(N)``."""
    if images.dim() != 4:
        raise ValueError(f"expected a (N, C, H, W) batch of images, got shape {tuple(images.shape)}")
    nrow = nrow or grid_columns(images.shape[0])
    images = ((images.detach().float().cpu() + 1.0) / 2.0).clamp(0.0, 1.0)
    return make_grid(images, nrow=nrow, padding=padding)


def upscaled(image: Tensor, min_size: int = MIN_VIEW_SIZE) -> Tensor:
    """A (..., H, W) image enlarged by the smallest whole factor that makes its shorter side at least
    ``min_size``, with nearest-neighbour (each pixel a block: nothing invented); larger images unchanged."""
    factor = math.ceil(min_size / min(image.shape[-2:]))
    if factor <= 1:
        return image
    return image.repeat_interleave(factor, dim=-2).repeat_interleave(factor, dim=-1)


def save_image_grid(images: Tensor, path: str | Path, nrow: int | None = None) -> Path:
    """Save a batch in [-1, 1] as one PNG grid and return its path (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        save_image(to_grid(images, nrow), path)
    return path
