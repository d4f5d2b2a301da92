"""BicycleGAN's U-Net generator with the latent code added to every layer (Zhu et al. 2017, Sec. 3.4).

``z`` is broadcast over the spatial grid and concatenated to the input of every downsampling convolution,
so every resolution sees it; the paper found this beats adding it to the input alone. The layout
(``model.down`` / ``model.submodule.…`` / ``model.up``) is that of the authors' ``G_Unet_add_all`` and
``UnetBlock_with_z`` (``upsample='basic'``), so their published ``*_net_G.pth`` load without renaming.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.nn.norm import NormName, norm_layer
from ganzoo.nn.unet import Position


def with_z(x: Tensor, z: Tensor) -> Tensor:
    """``x`` with ``z`` (N, nz) broadcast to (N, nz, H, W) and appended as channels."""
    return torch.cat([x, z[:, :, None, None].expand(-1, -1, *x.shape[-2:])], 1)


class UNetBlockWithZ(nn.Module):
    """One level: ``(x, z) -> [up(sub(down([x, z]), z)), x]``; the outermost returns ``up(...)`` (tanh).

    Unlike pix2pix's U-Net every convolution keeps its bias, whatever the norm, as in the authors' code.
    """

    def __init__(
        self,
        in_channels: int,
        outer: int,
        inner: int,
        nz: int,
        *,
        position: Position = "middle",
        submodule: UNetBlockWithZ | None = None,
        norm: NormName = "instance",
        dropout: bool = False,
    ) -> None:
        super().__init__()
        if (submodule is None) != (position == "innermost"):
            raise ValueError("only the innermost level has no submodule")
        self.position = position
        down_conv = nn.Conv2d(in_channels + nz, inner, 4, stride=2, padding=1)
        up_in = inner if position == "innermost" else 2 * inner
        up_conv = nn.ConvTranspose2d(up_in, outer, 4, stride=2, padding=1)
        if position == "outermost":
            down: list[nn.Module] = [down_conv]
            up: list[nn.Module] = [nn.ReLU(True), up_conv, nn.Tanh()]
        else:
            down = [nn.LeakyReLU(0.2, True), down_conv]
            if position == "middle":
                down.append(norm_layer(norm, inner))
            up = [nn.ReLU(True), up_conv, norm_layer(norm, outer)]
            if dropout and position == "middle":
                up.append(nn.Dropout(0.5))
        self.down = nn.Sequential(*down)
        self.submodule = submodule
        self.up = nn.Sequential(*up)

    def forward(self, x: Tensor, z: Tensor) -> Tensor:
        inner = self.down(with_z(x, z))
        if self.submodule is not None:
            inner = self.submodule(inner, z)
        out = self.up(inner)
        return out if self.position == "outermost" else torch.cat([out, x], 1)


class UNetWithZ(nn.Module):
    """``G(x, z)``: a U-Net of ``num_downs`` halvings (8 for 256x256, the authors' ``unet_256``) with ``z``
    at every level; widths ngf, 2, 4, then 8 ngf. Dropout sits in the 8ngf levels between the innermost and
    the 4ngf one, as in the authors' code."""

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        nz: int = 8,
        num_downs: int = 8,
        ngf: int = 64,
        norm: NormName = "instance",
        dropout: bool = False,
    ) -> None:
        super().__init__()
        if num_downs < 6:
            raise ValueError(f"the BicycleGAN U-Net needs num_downs >= 6, got {num_downs}")
        self.nz, self.num_downs, self.in_channels = nz, num_downs, in_channels
        wide = ngf * 8
        block = UNetBlockWithZ(wide, wide, wide, nz, position="innermost", norm=norm)
        for _ in range(num_downs - 5):
            block = UNetBlockWithZ(wide, wide, wide, nz, submodule=block, norm=norm, dropout=dropout)
        for mult in (4, 2, 1):
            block = UNetBlockWithZ(ngf * mult, ngf * mult, ngf * mult * 2, nz, submodule=block, norm=norm)
        self.model = UNetBlockWithZ(in_channels, out_channels, ngf, nz, position="outermost", submodule=block)

    def forward(self, x: Tensor, z: Tensor) -> Tensor:
        size = 2**self.num_downs
        if x.shape[-1] % size or x.shape[-2] % size:
            raise ValueError(
                f"this U-Net halves its input {self.num_downs} times, so height and width must be multiples "
                f"of {size}; got {tuple(x.shape[-2:])}. Resize the input (translate() does this for images)."
            )
        if z.dim() != 2 or z.shape != (x.shape[0], self.nz):
            raise ValueError(
                f"z must have shape ({x.shape[0]}, {self.nz}) for this batch, got {tuple(z.shape)}"
            )
        return self.model(x, z)
