"""How every metric turns images into features: one checked, 8-bit, channel-matched call to any module.

Published FID/IS/KID numbers are measured on 8-bit images, so generated images are rounded to 256 levels
before the network sees them, exactly as if they had been saved to PNG and read back. The module is any
``nn.Module`` that takes float images in [-1, 1] and returns either a feature tensor (used for FID and KID,
and as logits for IS) or a mapping with ``"features"`` and optionally ``"logits"``. Its ``name``,
``resize`` and ``in_channels`` attributes, when present, go into the recorded protocol.

The default module is the network FID, IS and KID are defined with: TensorFlow's 2015-12-05 Inception graph
(``InceptionV3``, ``standard_inception``). It is not torchvision's Inception-v3 (another training run, 1000
classes, other pooling), which is why numbers measured with torchvision's weights do not compare with
published ones. Its blocks are torch-fidelity's PyTorch port, the network torchmetrics' default extractor
runs, so a state dict in torch-fidelity's layout loads as is.
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn
from torch_fidelity.feature_extractor_inceptionv3 import (
    BasicConv2d,
    InceptionA,
    InceptionB,
    InceptionC,
    InceptionD,
    InceptionE_1,
    InceptionE_2,
)
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

from ganzoo.hub.inception import standard_weights

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


INPUT_SIZE = 299


class InceptionV3(nn.Module):
    """The 2015-12-05 Inception on RGB images in [-1, 1] (ganzoo's convention), any size.

    An 8-bit value v arrives as ``v / 127.5 - 1``; like the original TensorFlow graph, the network resizes
    the 8-bit values to 299x299 (bilinear, TF1 sampling grid, no antialiasing) and scales them as
    ``(v - 128) / 128``. Returns the 2048-d pool3
    ``"features"`` (FID, KID) and, when the classifier layer is present, the 1008 ``"logits"`` without
    bias that the original Inception Score code used.

    Args:
        with_classifier: build the 2048 -> 1008 layer (its weights are not in every published file).
    """

    name = "inception-v3-tf-2015-12-05"
    resize = "bilinear (TF1 grid, no antialias) to 299x299"
    in_channels = 3
    num_features = 2048
    num_classes = 1008

    def __init__(self, with_classifier: bool = True) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.MaxPool_1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.MaxPool_2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE_1(1280)
        self.Mixed_7c = InceptionE_2(2048)
        self.AvgPool = nn.AdaptiveAvgPool2d(output_size=(1, 1))
        self.fc = nn.Linear(self.num_features, self.num_classes) if with_classifier else None
        self.requires_grad_(False).eval()

    @property
    def has_classifier(self) -> bool:
        return self.fc is not None

    def forward(self, images: Tensor) -> dict[str, Tensor]:
        x = (images + 1) * 127.5
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            x = interpolate_bilinear_2d_like_tensorflow1x(
                x, size=(INPUT_SIZE, INPUT_SIZE), align_corners=False
            )
        x = (x - 128) / 128
        features = torch.flatten(self.AvgPool(self.trunk(x)), 1)
        out = {"features": features}
        if self.fc is not None:
            out["logits"] = features @ self.fc.weight.T
        return out

    def trunk(self, x: Tensor) -> Tensor:
        """The convolutional layers: (N, 3, 299, 299) in [-1, 1) -> (N, 2048, 8, 8)."""
        for layer in (
            self.Conv2d_1a_3x3,
            self.Conv2d_2a_3x3,
            self.Conv2d_2b_3x3,
            self.MaxPool_1,
            self.Conv2d_3b_1x1,
            self.Conv2d_4a_3x3,
            self.MaxPool_2,
            self.Mixed_5b,
            self.Mixed_5c,
            self.Mixed_5d,
            self.Mixed_6a,
            self.Mixed_6b,
            self.Mixed_6c,
            self.Mixed_6d,
            self.Mixed_6e,
            self.Mixed_7a,
            self.Mixed_7b,
            self.Mixed_7c,
        ):
            x = layer(x)
        return x


def standard_inception(weights: str | os.PathLike[str] | None = None) -> InceptionV3:
    """ganzoo's default extractor: the 2015-12-05 Inception with its published weights (see ``weights``).

    It has ``"logits"`` (and so can measure IS) only when the weights include the classifier layer.
    """
    state = standard_weights(weights)
    net = InceptionV3(with_classifier="fc.weight" in state)
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(
            f"not the 2015-12-05 Inception's weights: missing {missing}, unexpected {unexpected}"
        )
    return net
