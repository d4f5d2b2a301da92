"""BigGAN's networks (Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
ICLR 2019), as the authors' BigGAN-PyTorch builds them for 32, 64, 128 and 256 pixels.

G: a shared class embedding; z split into one chunk per block plus one for the input ("hierarchical
latents"), the first chunk to a linear layer on a 4x4 grid, every other chunk concatenated with the embedding
to condition both batch norms of one residual up-block; self-attention after the block at the chosen
resolutions (64 at 128px); batch norm, ReLU, a 3x3 convolution and tanh at the output. D: residual
down-blocks, the same attention, sum pooling and a projection head. Every convolution, linear map and D's
embedding is spectrally normalized; G's shared embedding is not (the authors found SN there harmful). The
residual blocks are ``nn.resblocks``', shared with SNGAN and SAGAN.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d
from ganzoo.nn.projection import Projection
from ganzoo.nn.resblocks import DBlock, GBlock
from ganzoo.nn.spectral_norm import SNConv2d, SNLinear

InitStyle = Literal["ortho", "N02", "xavier"]

# Channel multipliers of ch from G's 4x4 input to its last block (BigGAN-PyTorch's G_arch); the resolution
# doubles at every block.
G_CHANNELS: dict[int, tuple[int, ...]] = {
    32: (4, 4, 4, 4),
    64: (16, 16, 8, 4, 2),
    128: (16, 16, 8, 4, 2, 1),
    256: (16, 16, 8, 8, 4, 2, 1),
}
# Output channel multipliers of D's blocks (D_arch); each halves the resolution but the last (the last two
# at 32px).
D_CHANNELS: dict[int, tuple[int, ...]] = {
    32: (4, 4, 4, 4),
    64: (1, 2, 4, 8, 16),
    128: (1, 2, 4, 8, 16, 16),
    256: (1, 2, 4, 8, 8, 16, 16),
}


def _check_size(image_size: int) -> None:
    if image_size not in G_CHANNELS:
        raise ValueError(f"BigGAN is defined for image sizes {sorted(G_CHANNELS)}, got {image_size}")


def generator_resolutions(image_size: int) -> list[int]:
    """The output resolution of each of G's blocks: 8, 16, ..., image_size."""
    _check_size(image_size)
    return [8 * 2**i for i in range(len(G_CHANNELS[image_size]) - 1)]


def _attention_blocks(
    attention: Sequence[int], resolutions: Sequence[int], channels: Sequence[int], sn_eps: float
) -> nn.ModuleDict:
    unknown = sorted(set(attention) - set(resolutions))
    if unknown:
        raise ValueError(
            f"no block at attention resolution(s) {unknown}; choose from {sorted(set(resolutions))}"
        )
    # Keyed by block index, as BigGAN-PyTorch attaches attention to a block.
    return nn.ModuleDict(
        {
            str(i): SelfAttention(c, eps=sn_eps)
            for i, (r, c) in enumerate(zip(resolutions, channels, strict=True))
            if r in attention
        }
    )


@torch.no_grad()
def init_weights_(module: nn.Module, style: InitStyle | None) -> None:
    """BigGAN-PyTorch's initialisation of every conv, linear and embedding weight (biases keep torch's).

    ``None`` keeps torch's default initialisation: for networks about to receive trained weights, since the
    orthogonal initialisation of the 128px model alone takes seconds.
    """
    if style is None:
        return
    for m in module.modules():
        if not isinstance(m, nn.Conv2d | nn.Linear | nn.Embedding):
            continue
        weight = getattr(m, "weight_orig", None)  # the raw weight behind a spectral norm
        weight = m.weight if weight is None else weight
        if style == "ortho":
            nn.init.orthogonal_(weight)
        elif style == "N02":
            nn.init.normal_(weight, 0.0, 0.02)
        elif style == "xavier":
            nn.init.xavier_uniform_(weight)
        else:
            raise ValueError(f"unknown init {style!r}; choose 'ortho', 'N02' or 'xavier'")


class BigGANGenerator(nn.Module):
    """``G(z, y)``: images in [-1, 1] of shape (N, 3, image_size, image_size) for labels ``y`` (or, with a
    shared embedding, class vectors: see ``class_embedding``).

    Args:
        image_size: 32, 64, 128 or 256.
        num_classes: number of classes.
        latent_dim: size of z; with ``hier`` it must split evenly into (number of blocks + 1) chunks.
        ch: channel multiplier (the authors' G_ch: 96 at ImageNet 128, 64 on CIFAR).
        shared_dim: size of the shared class embedding; 0 conditions each batch norm on the class directly
            through its own embedding tables (the authors' CIFAR setting).
        hier: hierarchical latents (needs ``shared_dim``); otherwise all of z goes to the linear layer.
        attention: resolutions after whose block self-attention is applied (the authors' G_attn).
        bn_eps, sn_eps: batch norm and spectral norm epsilons.
        init: ``"ortho"``, ``"N02"`` (normal, std 0.02), ``"xavier"``, or ``None`` (torch's default).
    """

    def __init__(
        self,
        image_size: int = 128,
        num_classes: int = 1000,
        latent_dim: int = 120,
        ch: int = 96,
        shared_dim: int = 128,
        hier: bool = True,
        attention: Sequence[int] = (64,),
        bn_eps: float = 1e-5,
        sn_eps: float = 1e-6,
        init: InitStyle | None = "ortho",
    ) -> None:
        super().__init__()
        self.resolutions = generator_resolutions(image_size)
        widths = [m * ch for m in G_CHANNELS[image_size]]
        if hier and not shared_dim:
            raise ValueError("hier=True concatenates z chunks to the shared embedding; set shared_dim > 0")
        num_slots = len(self.resolutions) + 1 if hier else 1
        if latent_dim % num_slots:
            raise ValueError(
                f"latent_dim {latent_dim} does not split into {num_slots} equal chunks (one per block plus "
                f"one for the input); use a multiple of {num_slots}"
            )
        self.latent_dim, self.hier = latent_dim, hier
        self.chunk = latent_dim // num_slots
        embedding = not shared_dim
        cond_dim = num_classes if embedding else shared_dim + (self.chunk if hier else 0)
        self.shared = None if embedding else nn.Embedding(num_classes, shared_dim)
        self.linear = SNLinear(self.chunk, widths[0] * 4 * 4, eps=sn_eps)
        norm = functools.partial(
            ConditionalBatchNorm2d, cond_dim=cond_dim, embedding=embedding, eps=bn_eps, sn_eps=sn_eps
        )
        self.blocks = nn.ModuleList(
            GBlock(c_in, c_out, norm, sn=True, sn_eps=sn_eps, init=None)
            for c_in, c_out in itertools.pairwise(widths)
        )
        self.attentions = _attention_blocks(attention, self.resolutions, widths[1:], sn_eps)
        self.output_bn = nn.BatchNorm2d(widths[-1], eps=bn_eps)
        self.output_conv = SNConv2d(widths[-1], 3, 3, padding=1, eps=sn_eps)
        init_weights_(self, init)

    @property
    def accepts_class_vectors(self) -> bool:
        """Whether ``y`` may be class vectors, e.g. a mix of classes (the shared embedding is linear)."""
        return self.shared is not None

    def class_embedding(self, y: Tensor) -> Tensor:
        """What conditions the batch norms: the shared embedding of labels (N,) or of class vectors
        (N, num_classes), or the labels themselves for per-layer class embeddings."""
        if not y.is_floating_point():
            return y if self.shared is None else self.shared(y)
        if self.shared is None:
            raise ValueError(
                "per-layer class embeddings take label indices; class vectors need shared_dim > 0"
            )
        if y.dim() != 2 or y.shape[1] != self.shared.num_embeddings:
            raise ValueError(
                f"class vectors must have shape (N, {self.shared.num_embeddings}), got {tuple(y.shape)}"
            )
        return y @ self.shared.weight

    def forward(self, z: Tensor, y: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"expected z of shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        c = self.class_embedding(y)
        if self.hier:
            z, *chunks = z.split(self.chunk, dim=1)
            conds = [torch.cat([c, chunk], dim=1) for chunk in chunks]
        else:
            conds = [c] * len(self.blocks)
        h = self.linear(z).view(z.shape[0], -1, 4, 4)
        for index, (block, cond) in enumerate(zip(self.blocks, conds, strict=True)):
            h = block(h, cond)
            if str(index) in self.attentions:
                h = self.attentions[str(index)](h)
        return torch.tanh(self.output_conv(F.relu(self.output_bn(h))))


class BigGANDiscriminator(nn.Module):
    """``D(x, y)``: one unbounded score per image, (N,).

    Args:
        image_size: 32, 64, 128 or 256.
        num_classes: number of classes of the projection head.
        ch: channel multiplier (the authors' D_ch).
        attention: resolutions after whose block self-attention is applied (the authors' D_attn).
        wide: hidden width of a block = its output width (True, BigGAN) or its input width.
        sn_eps: spectral norm's epsilon.
        init: as for the generator.
    """

    def __init__(
        self,
        image_size: int = 128,
        num_classes: int = 1000,
        ch: int = 96,
        attention: Sequence[int] = (64,),
        wide: bool = True,
        sn_eps: float = 1e-6,
        init: InitStyle | None = "ortho",
    ) -> None:
        super().__init__()
        _check_size(image_size)
        widths = [m * ch for m in D_CHANNELS[image_size]]
        downsample = [True, True, False, False] if image_size == 32 else [True] * (len(widths) - 1) + [False]
        resolutions, res = [], image_size
        for down in downsample:
            res //= 2 if down else 1
            resolutions.append(res)
        self.resolutions = resolutions
        self.blocks = nn.ModuleList(
            DBlock(c_in, c_out, downsample=down, preactivation=i > 0, wide=wide, sn_eps=sn_eps, init=None)
            for i, (c_in, c_out, down) in enumerate(zip([3, *widths[:-1]], widths, downsample, strict=True))
        )
        self.attentions = _attention_blocks(attention, resolutions, widths, sn_eps)
        self.head = Projection(widths[-1], num_classes, sn=True, eps=sn_eps)
        init_weights_(self, init)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        h = x
        for index, block in enumerate(self.blocks):
            h = block(h)
            if str(index) in self.attentions:
                h = self.attentions[str(index)](h)
        return self.head(F.relu(h).sum(dim=(2, 3)), y)
