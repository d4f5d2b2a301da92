"""Small paired / unpaired image batches in the {"A", "B"} format of the paired and unpaired DataModules."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

PERMUTATION = [2, 0, 1]  # target = input with its colour channels rotated


def smooth_images(n: int, size: int = 32, seed: int = 0) -> torch.Tensor:
    """Random images in [-1, 1] with structure at several scales (upsampled noise), not white noise."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, size // 8, size // 8, generator=g)
    fine = torch.rand(n, 3, size // 2, size // 2, generator=g)
    image = F.interpolate(coarse, size=size, mode="bilinear") + 0.3 * F.interpolate(fine, size=size)
    return (image / 1.3) * 2 - 1


class ChannelPermutation(Dataset):
    """Paired data: A = an image, B = the same image with its channels permuted."""

    def __init__(self, n: int = 32, size: int = 32) -> None:
        self.images = smooth_images(n, size)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        a = self.images[i]
        return {"A": a, "B": a[PERMUTATION]}


def loader(n: int = 32, size: int = 32, batch_size: int = 4) -> DataLoader:
    return DataLoader(ChannelPermutation(n, size), batch_size=batch_size, shuffle=False)
