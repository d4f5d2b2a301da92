"""How every metric turns images into features: one checked, 8-bit, channel-matched call to any module.

Published FID/IS/KID numbers are measured on 8-bit images, so generated images are rounded to 256 levels
before the network sees them, exactly as if they had been saved to PNG and read back. The module is any
``nn.Module`` that takes float images in [-1, 1] and returns either a feature tensor (used for FID and KID,
and as logits for IS) or a mapping with ``"features"`` and optionally ``"logits"``. Its ``name``,
``resize`` and ``in_channels`` attributes, when present, go into the recorded protocol.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo.metrics.inception import standard_inception

RANGE_TOLERANCE = 1e-3


def prepare_images(images: Tensor, in_channels: int | None = None) -> Tensor:
    """Validate a (N, C, H, W) batch and return it as float32 in [-1, 1], rounded to 8-bit levels.

    uint8 images are taken as [0, 255]. Grayscale is replicated when the extractor wants RGB.
    """
    if not isinstance(images, Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"expected a (N, C, H, W) image tensor, got {shape}")
    if images.dtype == torch.uint8:
        x = images.float() / 127.5 - 1
    elif images.is_floating_point():
        x = images.float()
        if not torch.isfinite(x).all():
            raise ValueError("images contain NaN or Inf; the generator has diverged or the batch is corrupt")
        lo, hi = x.min().item(), x.max().item()
        if lo < -1 - RANGE_TOLERANCE or hi > 1 + RANGE_TOLERANCE:
            raise ValueError(
                f"images must be in [-1, 1] (ganzoo's convention, what sample() returns), "
                f"got [{lo:.3g}, {hi:.3g}]. "
                "Map [0, 1] images with x * 2 - 1, or pass uint8 images in [0, 255]."
            )
        if lo >= 0 and x.numel() >= 4096:
            warnings.warn(
                "no image value is below 0: if these images are in [0, 1], map them to [-1, 1] "
                "with x * 2 - 1 "
                "first, or the metric compares washed-out images.",
                UserWarning,
                stacklevel=3,
            )
        x = torch.round((x.clamp(-1, 1) + 1) * 127.5) / 127.5 - 1
    else:
        raise TypeError(f"images must be a floating-point tensor in [-1, 1] or uint8, got {images.dtype}")
    channels = x.shape[1]
    if in_channels is not None and channels != in_channels:
        if channels == 1 and in_channels == 3:
            return x.expand(-1, 3, -1, -1)
        raise ValueError(
            f"the extractor takes {in_channels}-channel images, got {channels} channels "
            f"(shape {tuple(x.shape)}); grayscale is replicated to RGB automatically, other counts are not."
        )
    return x


class FeatureExtractor(nn.Module):
    """Wraps any module so that it returns ``(features, logits or None)`` for a checked image batch."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module.eval().requires_grad_(False).to(memory_format=torch.channels_last)
        self.name: str = getattr(module, "name", type(module).__qualname__)
        self.resize: str = getattr(module, "resize", "none (the module's own)")
        self.in_channels: int | None = getattr(module, "in_channels", None)

    def train(self, mode: bool = True) -> FeatureExtractor:
        """Stays in eval mode: batch-norm statistics and dropout must not change what is measured."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, images: Tensor) -> tuple[Tensor, Tensor | None]:
        device = next(self.module.parameters(), torch.empty(0)).device
        x = prepare_images(images.to(device), self.in_channels)
        out = self.module(x.contiguous(memory_format=torch.channels_last))
        if isinstance(out, Tensor):
            return _flat(out), _flat(out)
        if isinstance(out, Mapping) and "features" in out:
            logits = out.get("logits")
            return _flat(out["features"]), None if logits is None else _flat(logits)
        raise TypeError(
            f"the extractor {self.name} returned {type(out).__name__}; it must return a feature tensor "
            "or a mapping with 'features' (and optionally 'logits')"
        )

    @property
    def has_logits(self) -> bool:
        """Whether IS can be measured: a plain tensor output counts, a mapping needs ``"logits"``."""
        return not hasattr(self.module, "has_classifier") or bool(self.module.has_classifier)

    @functools.cached_property
    def fingerprint(self) -> str:
        """First 12 hex digits of a sha256 over the module's tensors: two extractors with the same
        fingerprint give the same features, so cached reference statistics can be shared."""
        digest = hashlib.sha256(self.name.encode())
        for key, value in sorted(self.module.state_dict().items()):
            digest.update(key.encode())
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
        return digest.hexdigest()[:12]

    def describe(self) -> dict[str, Any]:
        """The extractor's part of a metric's protocol."""
        return {
            "extractor": self.name,
            "extractor_sha": self.fingerprint,
            "resize": self.resize,
            "quantize": "8-bit (round((x + 1) * 127.5))",
            "grayscale": "replicated to RGB" if self.in_channels == 3 else "as is",
        }


def _flat(t: Tensor) -> Tensor:
    return t.flatten(1) if t.dim() > 2 else t


def as_extractor(module: nn.Module | None) -> FeatureExtractor:
    """``None`` -> the standard Inception; a module -> wrapped; an extractor -> itself."""
    if isinstance(module, FeatureExtractor):
        return module
    return FeatureExtractor(standard_inception() if module is None else module)
