"""The CGAN networks (Mirza & Osindero 2014): MLPs that see the label through a hidden layer of its own.

G: z -> ReLU layer (200), y -> ReLU layer (1000), concatenated -> combined ReLU layer (1200) -> output.
D: x -> maxout (240 units x 5 pieces), y -> maxout (50 x 5), concatenated -> maxout (240 x 4) -> one score.
The combined parts are the plain GAN's MLPs (``nn.mlp``) with the branches' outputs as their input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.mlp import (
    MLPDiscriminator,
    MLPGenerator,
    OutputName,
    discriminator_unit,
    unit_range_pixels,
)


class CGANGenerator(nn.Module):
    """``G(z, y)``; ``dropout`` acts on the concatenated branch outputs (the paper applies dropout 0.5 to
    both networks without saying where); ``tanh`` / ``output`` bound the output as ``MLPGenerator``'s do."""

    def __init__(
        self,
        latent_dim: int,
        num_classes: int,
        output_shape: Sequence[int],
        z_hidden: int = 200,
        y_hidden: int = 1000,
        hidden: Sequence[int] = (1200,),
        dropout: float = 0.0,
        tanh: bool = True,
        output: OutputName = "tanh",
    ) -> None:
        super().__init__()
        self.z_branch = nn.Sequential(nn.Linear(latent_dim, z_hidden), nn.ReLU(True))
        self.y_branch = nn.Sequential(nn.Linear(num_classes, y_hidden), nn.ReLU(True))
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.joint = MLPGenerator(z_hidden + y_hidden, output_shape, hidden, tanh=tanh, output=output)
        self.num_classes, self.latent_dim = num_classes, latent_dim

    def dropout_keep(
        self, n: int, generator: torch.Generator | None = None, device: Any = None
    ) -> Tensor | None:
        """A draw of the 0/1 mask G's dropout applies to its ``n`` inputs' branch outputs (``None``: no
        dropout), to pass as ``forward``'s ``keep``."""
        if not isinstance(self.dropout, nn.Dropout):
            return None
        width = self.joint.latent_dim  # the concatenated branch outputs
        return (torch.rand(n, width, generator=generator, device=device) >= self.dropout.p).float()

    def forward(self, z: Tensor, labels: Tensor, keep: Tensor | None = None) -> Tensor:
        """``keep`` (from ``dropout_keep``) applies that dropout mask in any mode; without it, dropout is
        ``nn.Dropout``'s (random in training, off in eval)."""
        y = F.one_hot(labels, self.num_classes).to(z.dtype)
        h = torch.cat([self.z_branch(z), self.y_branch(y)], dim=1)
        if keep is None:
            return self.joint(self.dropout(h))
        if not isinstance(self.dropout, nn.Dropout):
            raise ValueError("a dropout mask was given to a generator built without dropout")
        return self.joint(h * keep.to(h.dtype) / (1 - self.dropout.p))


class CGANDiscriminator(nn.Module):
    """``D(x, y)``: one raw score per sample. ``pieces`` > 1 makes the branches maxout layers
    (``joint_pieces`` the combined ones), else linear + LeakyReLU; ``dropout`` acts on x and on every
    combined layer's input, ``input_dropout`` (when given) replaces it on x; ``unit_range`` reads images in
    [-1, 1] as [0, 1] (``nn.mlp.unit_range_pixels``).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        x_hidden: int = 240,
        y_hidden: int = 50,
        hidden: Sequence[int] = (240,),
        pieces: int = 5,
        joint_pieces: int = 4,
        dropout: float = 0.5,
        unit_range: bool = False,
        input_dropout: float | None = None,
    ) -> None:
        super().__init__()
        p = dropout if input_dropout is None else input_dropout
        x_layers = [nn.Dropout(p)] if p > 0 else []
        self.x_branch = nn.Sequential(
            *x_layers, *discriminator_unit(math.prod(input_shape), x_hidden, pieces)
        )
        self.y_branch = nn.Sequential(*discriminator_unit(num_classes, y_hidden, pieces))
        self.joint = MLPDiscriminator((x_hidden + y_hidden,), hidden, pieces=joint_pieces, dropout=dropout)
        self.num_classes, self.unit_range = num_classes, unit_range

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        y = F.one_hot(labels, self.num_classes).to(x.dtype)
        x = unit_range_pixels(x) if self.unit_range else x
        return self.joint(torch.cat([self.x_branch(x.flatten(1)), self.y_branch(y)], dim=1))
