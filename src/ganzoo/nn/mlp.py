"""Fully connected generator and discriminator (Goodfellow et al. 2014), also used for 2-D toy data."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor, nn

OutputName = Literal["tanh", "sigmoid"]


class Maxout(nn.Module):
    """max over ``pieces`` linear maps (Goodfellow et al. 2013), the GAN paper's discriminator unit."""

    def __init__(self, in_features: int, out_features: int, pieces: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features * pieces)
        self.out_features, self.pieces = out_features, pieces

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x).view(x.shape[0], self.out_features, self.pieces).amax(dim=2)


def unit_range_pixels(x: Tensor) -> Tensor:
    """Images in [-1, 1] mapped to [0, 1], the pixel range of the GAN and CGAN papers' MNIST (pylearn2).

    Why it matters: with [-1, 1] pixels the near-constant -1 background makes E[x x^T] on MNIST ~14x stiffer
    along its top direction (largest eigenvalue 517 vs 38), so the papers' plain SGD at lr 0.1 on a fully
    connected discriminator overshoots and diverges to NaN within a few hundred updates.
    """
    return (x + 1) / 2


class SigmoidPixels(nn.Module):
    """A sigmoid output written in [-1, 1]: ``2 * sigmoid(x) - 1``. A discriminator that reads images in
    [0, 1] (``unit_range_pixels``) then sees exactly ``sigmoid(x)``, the GAN paper's generator output."""

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(x) * 2 - 1


def uniform_init_(module: nn.Module, irange: float) -> nn.Module:
    """pylearn2's ``irange`` initialisation: every linear weight ~ U(-irange, irange), every bias 0 (its
    default ``init_bias``). Returns ``module``."""
    if irange <= 0:
        raise ValueError(f"irange must be > 0, got {irange}")
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.uniform_(m.weight, -irange, irange)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def sigmoid_bias_from_marginals(pixels: Tensor, eps: float = 1e-7) -> Tensor:
    """pylearn2's ``init_sigmoid_bias_from_marginals`` (the GAN authors' G output bias): the logit of each
    pixel's mean over ``pixels`` (N samples in [0, 1]), the mean clipped to [eps, 1 - eps]. As a sigmoid
    output's bias it makes G's first samples the data's mean image and saturates the always-black pixels."""
    mean = pixels.flatten(1).double().mean(dim=0).clamp(eps, 1 - eps)
    return torch.logit(mean).to(pixels.dtype if pixels.is_floating_point() else torch.float32)


def discriminator_unit(in_features: int, out_features: int, pieces: int = 1) -> list[nn.Module]:
    """One hidden layer of a discriminator: maxout when ``pieces`` > 1, else linear + LeakyReLU(0.2)."""
    if pieces > 1:
        return [Maxout(in_features, out_features, pieces)]
    return [nn.Linear(in_features, out_features), nn.LeakyReLU(0.2, True)]


class MLPGenerator(nn.Module):
    """z -> ReLU hidden layers -> bounded output reshaped to ``output_shape``.

    ``tanh`` bounds the output to [-1, 1], with ``output``: ``"tanh"``, or ``"sigmoid"`` (``SigmoidPixels``,
    the GAN paper's sigmoid on [0, 1] pixels); without it the output is linear (unbounded data).
    """

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        hidden: Sequence[int],
        tanh: bool = True,
        output: OutputName = "tanh",
    ) -> None:
        super().__init__()
        dims = [latent_dim, *hidden]
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(dims):
            layers += [nn.Linear(a, b), nn.ReLU(True)]
        layers.append(nn.Linear(dims[-1], math.prod(output_shape)))
        if output not in ("tanh", "sigmoid"):
            raise ValueError(f"unknown output {output!r}; choose 'tanh' or 'sigmoid'")
        if tanh:
            layers.append(nn.Tanh() if output == "tanh" else SigmoidPixels())
        self.net = nn.Sequential(*layers)
        self.output_shape = tuple(output_shape)
        self.latent_dim = latent_dim

    @property
    def output_layer(self) -> nn.Linear:
        """The last linear layer, whose bias ``sigmoid_bias_from_marginals`` sets."""
        return [m for m in self.net if isinstance(m, nn.Linear)][-1]

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z).view(z.shape[0], *self.output_shape)


class MLPDiscriminator(nn.Module):
    """Input -> hidden layers (maxout when ``pieces`` > 1, else LeakyReLU) -> one raw score per sample.

    ``outputs`` > 1 returns that many raw outputs per sample, shape (N, outputs): extra heads on the same
    features, e.g. ACGAN's class logits. ``unit_range`` reads images in [-1, 1] as ``unit_range_pixels`` does.
    ``dropout`` acts on every layer's input; ``input_dropout``, when given, replaces it on the first layer's
    (the GAN paper's D keeps 80% of its input pixels and 50% of its hidden units: 0.2 and 0.5).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        hidden: Sequence[int],
        pieces: int = 1,
        dropout: float = 0.0,
        outputs: int = 1,
        unit_range: bool = False,
        input_dropout: float | None = None,
    ) -> None:
        super().__init__()
        dims = [math.prod(input_shape), *hidden]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(dims)):
            p = dropout if i > 0 or input_dropout is None else input_dropout
            layers += [nn.Dropout(p)] if p > 0 else []
            layers += discriminator_unit(a, b, pieces)
        layers += [nn.Dropout(dropout)] if dropout > 0 else []
        layers.append(nn.Linear(dims[-1], outputs))
        self.net = nn.Sequential(*layers)
        self.outputs, self.unit_range = outputs, unit_range

    def forward(self, x: Tensor) -> Tensor:
        out = self.net(unit_range_pixels(x).flatten(1) if self.unit_range else x.flatten(1))
        return out.flatten() if self.outputs == 1 else out
