"""GAN: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.

The MNIST model of the paper: an MLP generator with ReLU units (1200-1200) and a maxout discriminator
(240 units x 5 pieces, two layers) with dropout, trained with SGD + momentum, one D step per G step and the
non-saturating generator loss the paper recommends in practice.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch

from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.mlp import MLPDiscriminator, MLPGenerator
from ganzoo.registry import PAPERS


@PAPERS.register
class GAN(LatentGANModule):
    """Args: ``data_shape`` is the shape of one sample (``[1, 28, 28]`` for MNIST, ``[2]`` for toy data);
    ``tanh`` bounds G's output to [-1, 1] and has D read images in the paper's [0, 1] pixel range
    (``nn.mlp.unit_range_pixels``; SGD at lr 0.1 diverges on [-1, 1] pixels); turn it off for unbounded data
    such as the 2-D toys. The optimizer is the paper's SGD with momentum 0.5."""

    paper_optimizer = functools.partial(torch.optim.SGD, momentum=0.5)

    def __init__(
        self,
        data_shape: Sequence[int] = (1, 28, 28),
        latent_dim: int = 100,
        g_hidden: Sequence[int] = (1200, 1200),
        d_hidden: Sequence[int] = (240, 240),
        maxout_pieces: int = 5,
        dropout: float = 0.5,
        tanh: bool = True,
        lr_g: float = 0.1,
        lr_d: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            MLPGenerator(latent_dim, data_shape, g_hidden, tanh=tanh),
            MLPDiscriminator(data_shape, d_hidden, pieces=maxout_pieces, dropout=dropout, unit_range=tanh),
            latent_dim=latent_dim,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
