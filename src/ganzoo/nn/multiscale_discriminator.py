"""Multi-scale discriminators (Wang et al. 2018, pix2pixHD Sec. 3.2; also BicycleGAN's and SPADE's): the
same kind of PatchGAN applied to the image and to copies downsampled 2x, 4x, ..., so the coarsest one sees
global structure while the finest judges detail, without one very deep network."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torch import Tensor, nn

from ganzoo.nn.norm import NormName, norm_layer


class MultiscaleDiscriminator(nn.Module):
    """``[D_0(x), D_1(down(x)), D_2(down(down(x))), ...]``; ``down`` is the authors' 3x3 average pool of
    stride 2 that ignores the padding. Each entry is whatever its discriminator returns."""

    def __init__(self, discriminators: Iterable[nn.Module]) -> None:
        super().__init__()
        self.scales = nn.ModuleList(discriminators)
        self.downsample = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)

    def forward(self, x: Tensor) -> list[Any]:
        outputs = []
        for i, discriminator in enumerate(self.scales):
            if i:
                x = self.downsample(x)
            outputs.append(discriminator(x))
        return outputs


class FeaturePatchDiscriminator(nn.Module):
    """The PatchGAN of pix2pixHD and SPADE, returning every layer's activations for feature matching.

    4x4 convolutions padded by 2: ``n_layers`` of stride 2 (widths ndf, 2ndf, ... capped at 512), one of
    stride 1, then a 1-channel score map (the list's last entry). pix2pixHD's ``--n_layers_D 3`` is
    ``n_layers=3``; SPADE counts the stride-1 layer too, so its ``--n_layers_D 4`` is also ``n_layers=3``.
    ``spectral`` wraps each normalised convolution in spectral norm and drops its bias (SPADE's
    ``spectralinstance``); without it they keep a bias, as in pix2pixHD.
    """

    def __init__(
        self,
        in_channels: int,
        ndf: int = 64,
        n_layers: int = 3,
        norm: NormName = "instance",
        spectral: bool = False,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        blocks = [nn.Sequential(nn.Conv2d(in_channels, ndf, 4, stride=2, padding=2), nn.LeakyReLU(0.2, True))]
        width = ndf
        for n in range(1, n_layers + 1):
            out = min(width * 2, 512)
            conv = nn.Conv2d(width, out, 4, stride=2 if n < n_layers else 1, padding=2, bias=not spectral)
            if spectral:
                conv = nn.utils.spectral_norm(conv)
            blocks.append(nn.Sequential(conv, norm_layer(norm, out), nn.LeakyReLU(0.2, True)))
            width = out
        blocks.append(nn.Sequential(nn.Conv2d(width, 1, 4, stride=1, padding=2)))
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x: Tensor) -> list[Tensor]:
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        return features
