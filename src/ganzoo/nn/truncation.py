"""The truncation trick (Brock et al. 2019): trade variety for fidelity by sampling z closer to the mode."""

from __future__ import annotations

import torch
from torch import Tensor


def truncated_normal(
    shape: tuple[int, ...],
    truncation: float,
    *,
    bound: float = 2.0,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> Tensor:
    """``truncation`` times a standard normal truncated to [-bound, bound].

    This is the convention of the published BigGAN generators (TF Hub, ``pytorch-pretrained-biggan``,
    mmgeneration): ``truncnorm(-2, 2) * truncation``. Out-of-range values are redrawn, so the result is an
    exact truncated normal rather than a clipped one (clipping piles mass on the bounds).
    """
    if not 0.0 < truncation <= 1.0:
        raise ValueError(f"truncation must be in (0, 1], got {truncation}")
    if bound <= 0:
        raise ValueError(f"bound must be positive, got {bound}")
    z = torch.randn(shape, generator=generator, device=device)
    outside = z.abs() > bound
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=generator, device=device)
        outside = z.abs() > bound
    return z * truncation
