"""The normalisation choice of the pix2pix / CycleGAN networks, as the authors' code makes it.

Batch norm is affine with running statistics; instance norm is neither affine nor tracking (each image is
normalised by its own statistics, at training and at test time). A convolution followed by batch norm has
no bias (the norm's shift replaces it); with instance norm, which has no shift, the convolution keeps one.
"""

from __future__ import annotations

from typing import Literal

from torch import nn

NormName = Literal["batch", "instance", "none"]


def norm_layer(norm: NormName, channels: int) -> nn.Module:
    """The 2-d normalisation ``norm`` over ``channels`` feature maps (``"none"``: identity)."""
    if norm == "batch":
        return nn.BatchNorm2d(channels, affine=True, track_running_stats=True)
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if norm == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {norm!r}; choose 'batch', 'instance' or 'none'")


def conv_bias(norm: NormName) -> bool:
    """Whether a convolution followed by ``norm`` has a bias: only before instance norm, as in the
    authors' code (which also leaves it out with no norm at all, so published layouts match)."""
    return norm == "instance"
