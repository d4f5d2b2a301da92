"""SPADE (GauGAN): Park et al., "Semantic Image Synthesis with Spatially-Adaptive Normalization", CVPR 2019.

The label map enters every residual block through spatially-adaptive normalisation instead of only the
input, so the layout survives normalisation; the generator then starts from the label map downsampled (or,
with the image encoder, from a style code z, trained as a VAE with a KL term). Training is pix2pixHD's
multi-scale D with spectral norm, the hinge loss (averaged over scales), feature matching and an optional
VGG loss. Defaults are the authors' (NVlabs/SPADE ``options/``): ngf 64, z_dim 256, 2 discriminators
(``--n_layers_D 4``), lambda_feat 10, lambda_vgg 10, lambda_kld 0.05, TTUR Adam (G 1e-4, D 4e-4,
betas (0, 0.9)), Xavier init with gain 0.02.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.semantic_synthesis import SemanticSynthesisModule
from ganzoo.models.translation import NetworkOptions
from ganzoo.nn.spade import ConvEncoder, SPADEGenerator
from ganzoo.nn.xavier import init_xavier_
from ganzoo.registry import PAPERS


@PAPERS.register
class SPADE(SemanticSynthesisModule):
    """Args:
    in_channels: label classes (the one-hot input); ``out_channels``: image channels.
    image_size, aspect_ratio: the output's width and width / height (``--crop_size``, ``--aspect_ratio``).
    use_vae: train the image encoder with a KL term (``--use_vae``), so ``z`` controls the style.
    z_dim, lambda_kld: ``--z_dim``, ``--lambda_kld``.
    instance_maps, vgg_weights, num_d, n_layers_d, ndf, lambda_feat, lambda_vgg: as for ``Pix2PixHD``.
    """

    spectral_d = True
    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.9))

    def __init__(
        self,
        in_channels: int = 12,
        out_channels: int = 3,
        image_size: int = 256,
        aspect_ratio: float = 1.0,
        num_upsampling_layers: Literal["normal", "more"] = "normal",
        ngf: int = 64,
        use_vae: bool = False,
        z_dim: int = 256,
        lambda_kld: float = 0.05,
        instance_maps: bool = False,
        vgg_weights: str | None = None,
        num_d: int = 2,
        lambda_feat: float = 10.0,
        lambda_vgg: float = 10.0,
        lr_g: float = 1e-4,
        lr_d: float = 4e-4,
        **kwargs: Any,
    ) -> None:
        self.g_args = (
            image_size,
            aspect_ratio,
            z_dim if use_vae else 0,
            num_upsampling_layers,
        )  # read by build_networks
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g="spade",  # type: ignore[arg-type]
            ngf=ngf,
            norm="instance",
            dropout=False,
            loss="nonsaturating",  # unused: SPADE's hinge loss is below
            image_size=image_size,
            instance_maps=instance_maps,
            num_d=num_d,
            lambda_feat=lambda_feat,
            lambda_vgg=lambda_vgg,
            vgg_weights=vgg_weights,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
        self.lambda_kld = lambda_kld
        self.encoder = ConvEncoder(64, z_dim) if use_vae else None
        if self.encoder is not None:
            init_xavier_(self.encoder)

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        size, aspect_ratio, z_dim, upsamplings = self.g_args
        channels = options.in_channels + int(self.instance_maps)
        generator = SPADEGenerator(
            channels, size, aspect_ratio, options.ngf, z_dim, options.out_channels, upsamplings
        )
        init_xavier_(generator)
        if generator_only:
            return generator, None
        discriminator = self.build_discriminator(options)
        init_xavier_(discriminator)
        return generator, discriminator

    def generator_parameters(self) -> Any:
        params = list(self.generator.parameters())
        return params + ([] if self.encoder is None else list(self.encoder.parameters()))

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        labels = self.labels(batch)
        if self.encoder is None:
            return {"image": self.generator(labels)}
        mu, logvar = self.encoder(self.pair(batch)[1])
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return {"image": self.generator(labels, z), "mu": mu, "logvar": logvar}

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        labels, image = self.labels(batch), self.pair(batch)[1]
        fake = self.fake_batch(batch)["image"]
        real, fake_scores = self.scores(labels, image), self.scores(labels, fake)
        d_real = sum(torch.relu(1 - r[-1]).mean() for r in real) / len(real)
        d_fake = sum(torch.relu(1 + f[-1]).mean() for f in fake_scores) / len(fake_scores)
        return {"loss": d_real + d_fake, "d_real": d_real, "d_fake": d_fake}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        labels, image = self.labels(batch), self.pair(batch)[1]
        fake = self.fakes(batch)
        real, fake_scores = self.scores(labels, image), self.scores(labels, fake["image"])
        terms = {"g_gan": sum(losses.hinge_g(f[-1]) for f in fake_scores) / len(fake_scores)}
        terms.update(self.matching_terms(real, fake_scores, image, fake["image"]))
        if self.encoder is not None:
            kld = losses.gaussian_kl(fake["mu"], (0.5 * fake["logvar"]).exp()).sum()
            terms["kld"] = self.lambda_kld * kld
        return {"loss": sum(terms.values()), **terms}
