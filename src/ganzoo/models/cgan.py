"""CGAN: Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014.

Both networks see the label: G(z, y), D(x, y) (``nn.cgan``). The MNIST model of the paper: z ~ U[0, 1]^100,
G with a 200-unit z layer, a 1000-unit y layer and a combined 1200-unit ReLU layer; a maxout D (240x5 for x,
50x5 for y, joint 240x4); dropout 0.5; SGD, batch 100, lr 0.1 decayed by a factor 1.00004 per update,
momentum 0.5 rising to 0.7 (linear over ``momentum_ramp_epochs`` epochs: the paper gives no schedule; 249 is
the GAN authors' pylearn2 setting). G's sigmoid output (``output="sigmoid"``), uniform init ranges
(``g_init_range`` / ``d_init_range``, which the paper does not give) and D's input dropout are opt-in; the
defaults (tanh, PyTorch's init) suit the toy-data models. ``zoo_cards/cgan_mnist.yaml`` sets the recipe.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from ganzoo.models.conditional import Classes, ConditionalGANModule
from ganzoo.models.marginals import OutputBiasFromMarginals
from ganzoo.nn.cgan import CGANDiscriminator, CGANGenerator
from ganzoo.nn.mlp import OutputName, uniform_init_
from ganzoo.optim import MomentumRamp
from ganzoo.registry import PAPERS


@PAPERS.register
class CGAN(OutputBiasFromMarginals, MomentumRamp, ConditionalGANModule):
    """Args: ``data_shape`` is one sample's shape (``[1, 28, 28]`` for MNIST, ``[2]`` for toy data);
    ``g_*`` / ``d_*`` size the networks of ``nn.cgan``; ``maxout_pieces`` / ``joint_maxout_pieces`` are D's
    maxout pieces (1: LeakyReLU units); ``d_input_dropout`` replaces ``d_dropout`` on D's image input;
    ``g_init_range`` / ``d_init_range`` draw linear weights from U(-range, range) with zero biases
    (``nn.mlp.uniform_init_``; ``None``: PyTorch's init); ``momentum_final`` / ``momentum_ramp_epochs``
    raise SGD's momentum linearly from ``momentum`` (``None``: constant), for an optimizer with momentum
    (the paper's SGD, the default); ``tanh`` bounds G's output to [-1, 1] (``output``: ``"tanh"`` or
    ``"sigmoid"``) and has D read
    images in the paper's [0, 1] pixel range (``nn.mlp.unit_range_pixels``); off for the 2-D toys.
    ``d_y_init_range`` (when given) replaces ``d_init_range`` on D's label branch: at 0.005 its one-hot
    input leaves the label's route through D ~10x weaker than the image's in each of its two layers, and D
    ignores the label. ``output_bias_from_data`` starts G's output bias at the logit of each pixel's
    training mean (``ganzoo.models.marginals``, from the GAN authors' code).
    The prior is the paper's z ~ U[0, 1]^latent_dim, so the truncation trick does not apply.
    ``sample_with_dropout`` (with ``g_dropout`` > 0) samples with a seeded draw of G's dropout mask, as G
    ran in every update: the adversarial game only ever shaped G with its dropout noise, and on MNIST G
    learns to vary its digits through that noise rather than through z. Measured on the card after 8 epochs
    (mean pairwise pixel distance within a digit, over MNIST test's): 0.87-1.12 of real with the mask,
    0.05-0.10 without it (the dropout-free "mean network" draws one image per digit)."""

    paper_optimizer = functools.partial(torch.optim.SGD, momentum=0.5)

    def __init__(
        self,
        data_shape: Sequence[int] = (1, 28, 28),
        num_classes: int = 10,
        class_names: Sequence[str] | str | None = "digits",
        latent_dim: int = 100,
        g_z_hidden: int = 200,
        g_y_hidden: int = 1000,
        g_hidden: Sequence[int] = (1200,),
        g_dropout: float = 0.5,
        d_x_hidden: int = 240,
        d_y_hidden: int = 50,
        d_hidden: Sequence[int] = (240,),
        maxout_pieces: int = 5,
        joint_maxout_pieces: int = 4,
        d_dropout: float = 0.5,
        d_input_dropout: float | None = None,
        tanh: bool = True,
        output: OutputName = "tanh",
        g_init_range: float | None = None,
        d_init_range: float | None = None,
        lr_g: float = 0.1,
        lr_d: float = 0.1,
        momentum: float = 0.5,
        momentum_final: float | None = 0.7,
        momentum_ramp_epochs: int = 250,
        output_bias_from_data: bool = False,
        d_y_init_range: float | None = None,
        sample_with_dropout: bool = True,
        **kwargs: Any,
    ) -> None:
        self.check_momentum_ramp(momentum_ramp_epochs)
        super().__init__(
            CGANGenerator(
                latent_dim, num_classes, data_shape, g_z_hidden, g_y_hidden, g_hidden, g_dropout, tanh, output
            ),
            CGANDiscriminator(
                data_shape,
                num_classes,
                d_x_hidden,
                d_y_hidden,
                d_hidden,
                maxout_pieces,
                joint_maxout_pieces,
                d_dropout,
                unit_range=tanh,
                input_dropout=d_input_dropout,
            ),
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
        if g_init_range is not None:
            uniform_init_(self.generator, g_init_range)
        if d_init_range is not None:
            uniform_init_(self.discriminator, d_init_range)
        if d_y_init_range is not None:
            uniform_init_(self.discriminator.y_branch, d_y_init_range)

    def sampling_inputs(
        self,
        n: int,
        rng: torch.Generator | None,
        z: Tensor | None,
        *,
        classes: Classes = None,
        truncation: float | None = None,
    ) -> tuple[Any, ...]:
        """(z, labels, truncation, G's dropout mask or ``None``), the mask drawn after z and the labels."""
        inputs = super().sampling_inputs(n, rng, z, classes=classes, truncation=truncation)
        keep = self.generator.dropout_keep(n, rng, self.device) if self.hparams.sample_with_dropout else None
        return (*inputs, keep)

    def generate(
        self,
        net: torch.nn.Module,
        z: Tensor,
        labels: Tensor | None,
        truncation: float | None,
        keep: Tensor | None,
    ) -> Tensor:
        return net(z, labels, keep)

    def output_layer(self) -> torch.nn.Linear:
        """G's last linear layer (``output_bias_from_data`` sets its bias)."""
        return self.generator.joint.output_layer

    def sample_latent(
        self, n: int, generator: torch.Generator | None = None, truncation: float | None = None
    ) -> Tensor:
        """z ~ U[0, 1]^latent_dim, the paper's prior."""
        if truncation is not None:
            raise ValueError("CGAN's prior is uniform on [0, 1]; truncation applies to normal priors only")
        return torch.rand(n, self.latent_dim, device=self.device, generator=generator)
