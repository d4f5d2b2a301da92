"""Small paired / unpaired image batches in the {"A", "B"} format of the paired and unpaired DataModules,
and a multimodal paired problem (one input, many right targets) for the latent-code models."""

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


def coloured_squares(n: int, seed: int, size: int = 64, side: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    """Multimodal pairs: A = a white ``side``-pixel square at a random place on black, B = the same square in
    a random colour (uniform in [-1, 1]^3). A fixes where the square is, nothing in A fixes its colour, so
    a model that reproduces B must take the colour from its latent code."""
    g = torch.Generator().manual_seed(seed)
    mask = torch.zeros(n, 1, size, size, dtype=torch.bool)
    for i in range(n):
        x0, y0 = torch.randint(0, size - side + 1, (2,), generator=g).tolist()
        mask[i, :, y0 : y0 + side, x0 : x0 + side] = True
    colour = torch.rand(n, 3, 1, 1, generator=g) * 2 - 1
    return torch.where(mask, 1.0, -1.0).expand(-1, 3, -1, -1).clone(), torch.where(mask, colour, -1.0)
