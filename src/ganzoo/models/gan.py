"""GAN: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.

The MNIST model of the paper: an MLP generator with ReLU units (1200-1200) and a maxout discriminator
(240 units x 5 pieces, two layers) with dropout, trained with SGD + momentum (0.5 rising linearly to 0.7),
one D step per G step and the non-saturating generator loss the paper recommends in practice. The rest of
the authors' released recipe (``adversarial/mnist.yaml``: uniform init ranges, D's input dropout 0.2, G's
sigmoid output) is opt-in here and set by ``zoo_cards/gan_mnist.yaml``; the defaults keep PyTorch's init,
which the small toy-data models train better with.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch

from ganzoo.models.latent import LatentGANModule
from ganzoo.models.marginals import OutputBiasFromMarginals
from ganzoo.nn.mlp import MLPDiscriminator, MLPGenerator, OutputName, uniform_init_
from ganzoo.optim import MomentumRamp
from ganzoo.registry import PAPERS


@PAPERS.register
class GAN(OutputBiasFromMarginals, MomentumRamp, LatentGANModule):
    """Args: ``data_shape`` is the shape of one sample (``[1, 28, 28]`` for MNIST, ``[2]`` for toy data);
    ``tanh`` bounds G's output to [-1, 1] (with ``output``: ``"sigmoid"``, the paper's sigmoid on [0, 1]
    pixels written in [-1, 1], or ``"tanh"``) and has D read images in the paper's [0, 1] pixel range
    (``nn.mlp.unit_range_pixels``; SGD at lr 0.1 diverges on [-1, 1] pixels); turn it off for unbounded data
    such as the 2-D toys. ``dropout`` is D's on its hidden units, ``input_dropout`` on its input (``None``:
    ``dropout``). ``g_init_range`` / ``d_init_range`` draw each network's linear weights from
    U(-range, range) with zero biases (``nn.mlp.uniform_init_``; ``None``: PyTorch's default init).
    ``momentum_final`` / ``momentum_ramp_epochs`` raise SGD's momentum linearly from ``momentum``
    (``None``: constant; ``ganzoo.optim.MomentumRamp``). ``output_bias_from_data`` starts G's output bias at
    the logit of each pixel's training mean (``ganzoo.models.marginals``; the authors' code does)."""

    paper_optimizer = functools.partial(torch.optim.SGD, momentum=0.5)

    def __init__(
        self,
        data_shape: Sequence[int] = (1, 28, 28),
        latent_dim: int = 100,
        g_hidden: Sequence[int] = (1200, 1200),
        d_hidden: Sequence[int] = (240, 240),
        maxout_pieces: int = 5,
        dropout: float = 0.5,
        input_dropout: float | None = None,
        tanh: bool = True,
        output: OutputName = "tanh",
        g_init_range: float | None = None,
        d_init_range: float | None = None,
        lr_g: float = 0.1,
        lr_d: float = 0.1,
        momentum: float = 0.5,
        momentum_final: float | None = 0.7,
        momentum_ramp_epochs: int = 249,
        output_bias_from_data: bool = False,
        **kwargs: Any,
    ) -> None:
        self.check_momentum_ramp(momentum_ramp_epochs)
        generator = MLPGenerator(latent_dim, data_shape, g_hidden, tanh=tanh, output=output)
        discriminator = MLPDiscriminator(
            data_shape,
            d_hidden,
            pieces=maxout_pieces,
            dropout=dropout,
            unit_range=tanh,
            input_dropout=input_dropout,
        )
        if g_init_range is not None:
            uniform_init_(generator, g_init_range)
        if d_init_range is not None:
            uniform_init_(discriminator, d_init_range)
        super().__init__(generator, discriminator, latent_dim=latent_dim, lr_g=lr_g, lr_d=lr_d, **kwargs)

    def output_layer(self) -> torch.nn.Linear:
        """G's last linear layer (``output_bias_from_data`` sets its bias)."""
        return self.generator.output_layer
