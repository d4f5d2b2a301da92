"""Turning generator output ([-1, 1] tensors) into image files."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor
from torchvision.utils import make_grid, save_image


def to_grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> Tensor:
    """A (C, H, W) grid in [0, 1] from a (N, C, H, W) batch in [-1, 1]; ``nrow`` defaults to a square."""
    if images.dim() != 4:
        raise ValueError(f"expected a (N, C, H, W) batch of images, got shape {tuple(images.shape)}")
    nrow = nrow or max(1, math.isqrt(images.shape[0] - 1) + 1)
    images = ((images.detach().float().cpu() + 1.0) / 2.0).clamp(0.0, 1.0)
    return make_grid(images, nrow=nrow, padding=padding)


def save_image_grid(images: Tensor, path: str | Path, nrow: int | None = None) -> Path:
    """Save a batch in [-1, 1] as one PNG grid and return its path (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        save_image(to_grid(images, nrow), path)
    return path
