"""InfoGAN: Chen et al., "InfoGAN: Interpretable Representation Learning by Information Maximizing GANs",
NeurIPS 2016.

Unsupervised: G's input is noise z plus latent codes c (a categorical code and continuous codes), and a head
Q on D's body predicts c from G(z, c). Both players add lambda * (-L_I) to their losses, where
L_I = E[log Q(c | G(z, c))] + H(c) is a lower bound on the mutual information I(c; G(z, c)): the
cross-entropy of the categorical code (``losses.categorical_code_nll``) and the Gaussian negative
log-likelihood of the continuous codes (``losses.gaussian_code_nll``). H(c) is constant and dropped.

MNIST setting of the paper and the authors' code: z ~ U(-1, 1)^62, one 10-way categorical code, two
continuous codes ~ U(-1, 1) with Q(c | x) a Gaussian of fixed std 1, lambda = 1 for both kinds of codes,
Adam with lr 2e-4 for D (and Q), 1e-3 for G, beta1 = 0.5, the networks of ``nn.infogan``. Deviations: G
ends in tanh (images in [-1, 1]) instead of a sigmoid; LeakyReLU slope 0.1 as in the paper (the authors'
code uses 0.01).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.base import running_as
from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.dcgan import init_dcgan_weights_
from ganzoo.nn.infogan import InfoGANDiscriminator, InfoGANGenerator, conv_body, mlp_body
from ganzoo.nn.mlp import MLPGenerator
from ganzoo.registry import PAPERS


def infogan_networks(
    data_shape: Sequence[int],
    input_dim: int,
    code_outputs: int,
    hidden: Sequence[int],
    q_hidden: int,
    slope: float,
) -> tuple[nn.Module, InfoGANDiscriminator]:
    """(G, D with Q): the paper's convolutional networks for square images (C, S, S), MLPs for vectors."""
    if len(data_shape) == 1:
        body, features = mlp_body(data_shape, hidden)
        g = MLPGenerator(input_dim, data_shape, hidden, tanh=False)
        return g, InfoGANDiscriminator(body, features, code_outputs, q_hidden, slope, batch_norm=False)
    if len(data_shape) == 3 and data_shape[1] == data_shape[2]:
        channels, size = data_shape[0], data_shape[1]
        body, features = conv_body(size, channels, slope)
        d = InfoGANDiscriminator(body, features, code_outputs, q_hidden, slope)
        init_dcgan_weights_(d)
        return InfoGANGenerator(input_dim, size, channels), d
    raise ValueError(f"data_shape must be (features,) or square (C, H, W), got {tuple(data_shape)}")


def _per_sample(values: Tensor, n: int, name: str) -> Tensor:
    """One value for all ``n`` samples, or one per sample, along the first axis."""
    if values.shape[0] == 1:
        return values.expand(n, *values.shape[1:])
    if values.shape[0] != n:
        raise ValueError(
            f"got {values.shape[0]} values of {name} for {n} samples; pass one or one per sample"
        )
    return values


@PAPERS.register
class InfoGAN(LatentGANModule):
    """Args: ``latent_dim``: noise dimensions (62 for MNIST); ``categories``: size of the categorical code
    (0: none); ``continuous_codes``: number of U(-1, 1) codes; ``learn_std``: Q also predicts the log std of
    the continuous codes (the paper's factored Gaussian) instead of fixing it to 1; ``lambda_categorical`` /
    ``lambda_continuous``: the weights of the two parts of L_I; ``hidden`` sizes the MLPs for vector data,
    ``q_hidden`` Q's hidden layer; ``slope``: LeakyReLU slope of D and Q.

    G's input is ``[z, one_hot(category), continuous]``; ``sample(category=..., continuous=...)`` fixes the
    codes and ``predict_codes`` reads them back from images with Q.
    """

    def __init__(
        self,
        data_shape: Sequence[int] = (1, 28, 28),
        latent_dim: int = 62,
        categories: int = 10,
        continuous_codes: int = 2,
        learn_std: bool = False,
        lambda_categorical: float = 1.0,
        lambda_continuous: float = 1.0,
        hidden: Sequence[int] = (128, 128),
        q_hidden: int = 128,
        slope: float = 0.1,
        lr_g: float = 1e-3,
        **kwargs: Any,
    ) -> None:
        if categories < 0 or continuous_codes < 0 or categories + continuous_codes == 0:
            raise ValueError(
                f"InfoGAN needs at least one latent code; got categories={categories}, "
                f"continuous_codes={continuous_codes}"
            )
        if categories == 1:
            raise ValueError("a categorical code needs at least 2 categories (or 0 for none)")
        if kwargs.get("penalty") is not None:
            raise ValueError(
                "InfoGAN takes no gradient penalty: its discriminator returns (logit, Q outputs)"
            )
        code_outputs = categories + continuous_codes * (2 if learn_std else 1)
        g, d = infogan_networks(
            data_shape, latent_dim + categories + continuous_codes, code_outputs, hidden, q_hidden, slope
        )
        super().__init__(g, d, latent_dim=latent_dim, lr_g=lr_g, **kwargs)
        self.categories, self.continuous_codes, self.learn_std = categories, continuous_codes, learn_std

    # --- latent codes -----------------------------------------------------------------------------

    def sample_latent(
        self,
        n: int,
        generator: torch.Generator | None = None,
        *,
        category: int | Sequence[int] | Tensor | None = None,
        continuous: Sequence[float] | Tensor | None = None,
    ) -> Tensor:
        """``[z, one_hot(category), continuous]`` with z, continuous ~ U(-1, 1) and category uniform, unless
        given: ``category`` as one index or one per sample, ``continuous`` as one vector or one per sample."""
        z = torch.rand(n, self.latent_dim, device=self.device, generator=generator) * 2 - 1
        parts = [z]
        if self.categories:
            if category is None:
                index = torch.randint(self.categories, (n,), device=self.device, generator=generator)
            else:
                index = _per_sample(torch.as_tensor(category, device=self.device).reshape(-1), n, "category")
                if index.min() < 0 or index.max() >= self.categories:
                    raise ValueError(f"category must be in [0, {self.categories}), got {index.tolist()}")
            parts.append(nn.functional.one_hot(index.long(), self.categories).to(z.dtype))
        elif category is not None:
            raise ValueError("this InfoGAN has no categorical code (categories=0)")
        if self.continuous_codes:
            if continuous is None:
                c = torch.rand(n, self.continuous_codes, device=self.device, generator=generator) * 2 - 1
            else:
                c = torch.as_tensor(continuous, device=self.device, dtype=torch.float)
                c = _per_sample(c.reshape(-1, self.continuous_codes), n, "continuous")
            parts.append(c)
        elif continuous is not None:
            raise ValueError("this InfoGAN has no continuous codes (continuous_codes=0)")
        return torch.cat(parts, dim=1)

    def codes_of(self, latent: Tensor) -> tuple[Tensor | None, Tensor | None]:
        """(category indices, continuous codes) of G's input; ``None`` for a kind of code the model lacks."""
        start = self.latent_dim
        category = latent[:, start : start + self.categories].argmax(1) if self.categories else None
        start += self.categories
        continuous = latent[:, start:] if self.continuous_codes else None
        return category, continuous

    def split_q(self, q: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        """Q's outputs as (category logits, continuous means, continuous log stds or ``None``)."""
        k, m = self.categories, self.continuous_codes
        logits = q[:, :k] if k else None
        mean = q[:, k : k + m] if m else None
        log_std = q[:, k + m :] if m and self.learn_std else None
        return logits, mean, log_std

    # --- the game ---------------------------------------------------------------------------------

    def information_loss(self, q: Tensor, latent: Tensor) -> dict[str, Tensor]:
        """lambda-weighted -E[log Q(c | x)] of the codes in ``latent`` (``"info"``) and its parts."""
        category, continuous = self.codes_of(latent)
        logits, mean, log_std = self.split_q(q)
        out: dict[str, Tensor] = {"info": q.new_zeros(())}
        if category is not None:
            nll = losses.categorical_code_nll(logits, category)
            out["info"] = out["info"] + self.hparams.lambda_categorical * nll
            out["mi_categorical"] = math.log(self.categories) - nll.detach()  # the bound L_I, in nats
        if continuous is not None:
            nll = losses.gaussian_code_nll(mean, continuous, log_std)
            out["info"] = out["info"] + self.hparams.lambda_continuous * nll
            out["nll_continuous"] = nll.detach()
        return out

    def fakes(self, batch: Any, n: int | None = None) -> tuple[Tensor, Tensor]:
        """(fakes, G's input ``[z, codes]``): Q is scored on recovering the codes."""
        latent = self.sample_latent(self.real_images(batch).shape[0] if n is None else n)
        return self.generator(latent), latent

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        """The adversarial loss of D plus the information loss, which trains Q and the shared body."""
        real = self.real_images(batch)
        fake, latent = self.fake_batch(batch)
        (real_out, _), (fake_out, q) = self.discriminator(real), self.discriminator(fake)
        adversarial = self.loss_d(real_out, fake_out)
        info = self.information_loss(q, latent)
        return {"loss": adversarial + info.pop("info"), "d_adversarial": adversarial, **info}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        """The adversarial loss of G plus the information loss: G makes its codes readable by Q."""
        fake, latent = self.fakes(batch)
        fake_out, q = self.discriminator(fake)
        adversarial = self.loss_g(fake_out)
        info = self.information_loss(q, latent)
        return {"loss": adversarial + info["info"], "g_adversarial": adversarial, "g_info": info["info"]}

    # --- inference --------------------------------------------------------------------------------

    def sampling_inputs(
        self,
        n: int,
        rng: torch.Generator | None,
        z: Tensor | None,
        *,
        category: int | Sequence[int] | Tensor | None = None,
        continuous: Sequence[float] | Tensor | None = None,
    ) -> tuple[Tensor]:
        """G's input ``[noise, one_hot(category), continuous]``: ``category`` / ``continuous`` fix the codes
        (random if ``None``); a given ``z`` is that whole input and overrides them."""
        if z is None:
            z = self.sample_latent(n, rng, category=category, continuous=continuous)
        return (z.to(self.device, self.dtype),)

    @torch.no_grad()
    def predict_codes(self, x: Tensor) -> tuple[Tensor | None, Tensor | None]:
        """Q's reading of the codes of ``x``: (most likely category, means of the continuous codes)."""
        with running_as(self.discriminator, training=False):
            logits, mean, _ = self.split_q(self.discriminator(x.to(self.device, self.dtype))[1])
        return (None if logits is None else logits.argmax(1)), mean
