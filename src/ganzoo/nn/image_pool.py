"""The image history buffer of Shrivastava et al. (2017, Sec. 2.3), as CycleGAN uses it.

Updating D on a mix of current and past fakes keeps it from forgetting what earlier generators produced,
which damps oscillation. Until the pool is full every fake is stored and returned; afterwards each fake is,
with probability 1/2, swapped for a random stored one (which is returned) and otherwise returned as is.
"""

from __future__ import annotations

import torch
from torch import Tensor


class ImagePool:
    """A pool of at most ``size`` past images; ``size=0`` disables it (``query`` returns its input)."""

    def __init__(self, size: int = 50) -> None:
        if size < 0:
            raise ValueError(f"pool size must be >= 0, got {size}")
        self.size = size
        self.images: list[Tensor] = []

    def __len__(self) -> int:
        return len(self.images)

    @torch.no_grad()
    def query(self, images: Tensor) -> Tensor:
        """A batch like ``images`` (detached) in which some images may come from the history."""
        if self.size == 0:
            return images.detach()
        out = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand(()) < 0.5:
                i = int(torch.randint(len(self.images), ()))
                out.append(self.images[i].to(image))  # a resumed pool may sit on another device
                self.images[i] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)
