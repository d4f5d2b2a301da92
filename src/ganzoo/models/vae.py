"""VAE: Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014, as the baseline of Lucic et al. 2018.

The study's VAE: a Gaussian encoder q(z | x) (the discriminator's body with a mean / std head), the GANs'
generator as a Bernoulli decoder p(x | z) on [0, 1] pixels, the prior N(0, I), and the negative ELBO
E_q[-log p(x | z)] + KL(q(z | x) || p(z)) with the closed-form Gaussian KL and one reparameterised sample,
minimised by Adam(5e-5, beta1 = 0.5) (the study's defaults).

Why not a ``GANModule``: that base is the alternating two-player loop (two optimizers, ``d_steps``, a
discriminator to train against), and a VAE has one objective and one optimizer, so it would have to
override the whole loop. It is its own LightningModule with the two capabilities every zoo model has:
``Sampler`` (``sample(n, seed=...)``) and ``Publishable`` (``save_pretrained``, so ``ganzoo.load`` rebuilds
it from its hyperparameters like any paper).
"""

from __future__ import annotations

import functools
from typing import Any

import lightning as L
import torch
from lightning.pytorch.cli import OptimizerCallable
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.hub.checkpoint_io import use_pickle_free_checkpoints
from ganzoo.hub.publish import Publishable
from ganzoo.models.base import running_as
from ganzoo.models.capabilities import Sampler
from ganzoo.nn.dcgan import Norm
from ganzoo.nn.lucic import LucicEncoder, lucic_generator
from ganzoo.registry import PAPERS


@PAPERS.register
class VAE(Sampler, Publishable, L.LightningModule):
    """Args: ``encoder_norm`` is batch norm in the encoder's body (the study searches it as it does D's);
    ``decoder_slope`` the decoder's leak (0: the plain ReLUs of the study's VAE decoder; its GANs use 0.2);
    ``optimizer`` builds the optimizer from the parameters and ``lr`` (``None``: Adam, betas (0.5, 0.999));
    ``generator_only=True`` builds the decoder alone, the form a shipped VAE loads into (it samples, it cannot
    train or encode)."""

    paper_optimizer: OptimizerCallable = functools.partial(torch.optim.Adam, betas=(0.5, 0.999))

    def __init__(
        self,
        latent_dim: int = 64,
        image_size: int = 28,
        channels: int = 1,
        encoder_norm: Norm = "batch",
        decoder_slope: float = 0.0,
        lr: float = 5e-5,
        optimizer: OptimizerCallable | None = None,
        generator_only: bool = False,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["optimizer"])
        self.encoder = (
            None if generator_only else LucicEncoder(latent_dim, image_size, channels, encoder_norm)
        )
        self.decoder = lucic_generator(latent_dim, image_size, channels, slope=decoder_slope)
        self.latent_dim = latent_dim
        self.optimizer = optimizer or self.paper_optimizer

    # --- the objective ----------------------------------------------------------------------------

    def elbo_terms(self, images: Tensor, eps: Tensor | None = None) -> dict[str, Tensor]:
        """Per-sample ``nll`` = -log p(x | z) at z = mean + std * eps and ``kl`` = KL(q(z | x) || N(0, I)) for
        images in [-1, 1]; ``eps`` ~ N(0, I) unless given."""
        if self.encoder is None:
            raise RuntimeError(
                "this VAE was built with generator_only=True (the form shipped weights load into): it has "
                "no encoder, so it samples but cannot compute the ELBO or train; build it without "
                "generator_only."
            )
        mean, std = self.encoder(images)
        eps = torch.randn_like(mean) if eps is None else eps
        probs = (self.decoder(mean + std * eps) + 1) / 2
        return {"nll": losses.bernoulli_nll(probs, (images + 1) / 2), "kl": losses.gaussian_kl(mean, std)}

    def loss(self, images: Tensor) -> dict[str, Tensor]:
        """The negative ELBO averaged over the batch (``"loss"``) and its two terms."""
        terms = {k: v.mean() for k, v in self.elbo_terms(images).items()}
        return {"loss": terms["nll"] + terms["kl"], **terms}

    def training_step(self, batch: Any, batch_idx: int) -> Tensor:
        out = self.loss(batch if isinstance(batch, Tensor) else batch[0])
        self.log_dict({f"train/{k}": v for k, v in out.items()}, on_step=True, on_epoch=False)
        return out["loss"]

    def configure_optimizers(self) -> Any:
        return self.optimizer([{"params": self.parameters(), "lr": self.hparams.lr}])

    def setup(self, stage: str) -> None:
        use_pickle_free_checkpoints(self.trainer.strategy)

    # --- sampling ---------------------------------------------------------------------------------

    @property
    def sampling_generator(self) -> nn.Module:
        """The decoder: what samples and what a published copy needs."""
        return self.decoder

    def optimize_for_inference(self) -> VAE:
        """Nothing to fold: the decoder is already what inference runs (``ganzoo.load`` calls this)."""
        return self

    @torch.no_grad()
    def sample(
        self, n: int, *, seed: int | None = None, z: Tensor | None = None, **conditions: Any
    ) -> Tensor:
        """``n`` decoded images in [-1, 1] (the mean of p(x | z), as the study samples) for z ~ N(0, I)."""
        if conditions:
            raise TypeError(f"VAE.sample() got {', '.join(sorted(conditions))}; it is unconditional")
        if n < 1:
            raise ValueError(f"the number of samples must be at least 1, got {n}")
        if z is None:
            rng = None if seed is None else torch.Generator(device=self.device).manual_seed(seed)
            z = torch.randn(n, self.latent_dim, device=self.device, generator=rng)
        elif z.shape != (n, self.latent_dim):
            raise ValueError(f"z must have shape ({n}, {self.latent_dim}), got {tuple(z.shape)}")
        with running_as(self.decoder, training=False) as net:
            return net(z.to(self.device, self.dtype))
