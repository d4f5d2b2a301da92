"""The 32x32 ResNets of SNGAN (Miyato et al. 2018, Table 4) and the projection discriminator paper.

G: z (128) -> linear -> 4x4xch -> 3 up blocks (8, 16, 32) -> BN-ReLU-conv3x3-tanh, ch = 256.
D: optimized down block (16) -> down block (8) -> 2 blocks (8) -> ReLU -> global sum pool -> linear (+ the
projection <embed(y), h> when conditional), ch = 128. Spectral norm on every D layer, and optionally on G's
(SAGAN); a SAGAN self-attention block after the stage of resolution ``attention_at`` (optional).
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.projection import Projection
from ganzoo.nn.resblocks import DBlock, GBlock, batch_norm, conv, glorot_init_
from ganzoo.nn.spectral_norm import maybe_spectral_norm

BOTTOM_WIDTH = 4
G_RESOLUTIONS = (8, 16, 32)  # output size of each generator block
D_RESOLUTIONS = (16, 8, 8, 8)  # output size of each discriminator block


def _check_attention(attention_at: int | None, resolutions: tuple[int, ...], network: str) -> None:
    if attention_at is not None and attention_at not in resolutions:
        raise ValueError(
            f"the {network} has stages of resolution {sorted(set(resolutions))}; attention_at={attention_at} "
            "is none of them (None: no attention)"
        )


class ResNetGenerator32(nn.Module):
    """``G(z, y)``: ``y`` (class indices) drives conditional batch norm when ``num_classes`` is set."""

    def __init__(
        self,
        latent_dim: int = 128,
        ch: int = 256,
        num_classes: int | None = None,
        channels: int = 3,
        sn: bool = False,
        attention_at: int | None = None,
    ) -> None:
        super().__init__()
        _check_attention(attention_at, G_RESOLUTIONS, "generator")
        self.latent_dim, self.ch = latent_dim, ch
        self.l1 = maybe_spectral_norm(glorot_init_(nn.Linear(latent_dim, BOTTOM_WIDTH**2 * ch)), sn)
        norm = functools.partial(batch_norm, num_classes=num_classes)
        blocks: list[nn.Module] = [GBlock(ch, ch, norm, sn=sn) for _ in G_RESOLUTIONS]
        if attention_at is not None:
            blocks.insert(G_RESOLUTIONS.index(attention_at) + 1, SelfAttention(ch, sn=sn))
        self.blocks = nn.ModuleList(blocks)
        self.b5 = nn.BatchNorm2d(ch)
        self.c5 = conv(ch, channels, 3, sn=sn)

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        h = self.l1(z).view(z.shape[0], self.ch, BOTTOM_WIDTH, BOTTOM_WIDTH)
        for block in self.blocks:
            h = block(h, y) if isinstance(block, GBlock) else block(h)
        return torch.tanh(self.c5(F.relu(self.b5(h))))


class ResNetDiscriminator32(nn.Module):
    """``D(x, y)``: one raw score per image; ``y`` must be given exactly when ``num_classes`` is set."""

    def __init__(
        self,
        ch: int = 128,
        num_classes: int | None = None,
        channels: int = 3,
        attention_at: int | None = None,
    ) -> None:
        super().__init__()
        _check_attention(attention_at, D_RESOLUTIONS, "discriminator")
        blocks: list[nn.Module] = [
            DBlock(channels, ch, preactivation=False, wide=True),  # the "optimized" first block, on images
            DBlock(ch, ch, downsample=True),
            DBlock(ch, ch, downsample=False),
            DBlock(ch, ch, downsample=False),
        ]
        if attention_at is not None:  # after the first block of that resolution
            blocks.insert(D_RESOLUTIONS.index(attention_at) + 1, SelfAttention(ch, sn=True))
        self.blocks = nn.Sequential(*blocks)
        self.head = Projection(ch, num_classes, sn=True, bias=False)
        glorot_init_(self.head.linear)
        if self.head.embed is not None:
            glorot_init_(self.head.embed)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        h = F.relu(self.blocks(x)).sum(dim=(2, 3))  # global sum pooling, as the authors
        return self.head(h, y)
