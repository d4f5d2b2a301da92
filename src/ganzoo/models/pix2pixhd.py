"""pix2pixHD: Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation with Conditional GANs",
CVPR 2018.

A coarse-to-fine generator (a global ResNet generator, optionally inside a local enhancer at twice its
resolution), several PatchGANs at different scales, and a feature-matching loss on their layers, which
stabilises training at high resolution; a VGG perceptual loss is optional, and instance boundary maps tell
touching objects of one class apart. Defaults are the authors' (NVIDIA/pix2pixHD ``options/``): LSGAN loss,
lambda_feat 10 (feature matching and VGG), 2 discriminators of 3 layers, instance norm, ngf 64 (32 with
``--netG local``), Adam(2e-4, (0.5, 0.999)), 100 + 100 epochs, batch 1.
"""

from __future__ import annotations

from typing import Any, Literal

from torch import Tensor, nn

from ganzoo.models.semantic_synthesis import SemanticSynthesisModule
from ganzoo.models.translation import NetworkOptions
from ganzoo.nn.dcgan import init_dcgan_weights_
from ganzoo.nn.norm import NormName
from ganzoo.nn.pix2pixhd_generator import GlobalGenerator, LocalEnhancer
from ganzoo.registry import PAPERS


@PAPERS.register
class Pix2PixHD(SemanticSynthesisModule):
    """Args:
    in_channels: label classes (the one-hot input); ``out_channels``: image channels.
    net_g: ``"global"`` (G1) or ``"local"`` (G1 inside one local enhancer), the authors' ``--netG``.
    n_downsample_global, n_blocks_global, n_blocks_local: their flags of the same names.
    instance_maps: add the instance boundary map to the input (batches then carry ``"instance"``).
    vgg_weights: path to torchvision's ``vgg19-dcbb9e9d.pth``; turns on the VGG loss (``None``: off,
        as ``--no_vgg_loss``).
    num_d, n_layers_d, ndf, lambda_feat: ``--num_D``, ``--n_layers_D``, ``--ndf``, ``--lambda_feat``.
    """

    def __init__(
        self,
        in_channels: int = 12,
        out_channels: int = 3,
        net_g: Literal["global", "local"] = "global",
        ngf: int = 64,
        n_downsample_global: int = 4,
        n_blocks_global: int = 9,
        n_blocks_local: int = 3,
        norm: NormName = "instance",
        instance_maps: bool = False,
        vgg_weights: str | None = None,
        num_d: int = 2,
        lambda_feat: float = 10.0,
        **kwargs: Any,
    ) -> None:
        if net_g not in ("global", "local"):
            raise ValueError(f"net_g must be 'global' or 'local', got {net_g!r}")
        self.g_args = (n_downsample_global, n_blocks_global, n_blocks_local)  # read by build_networks
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,  # type: ignore[arg-type]
            ngf=ngf,
            norm=norm,
            dropout=False,
            loss="least_squares",
            instance_maps=instance_maps,
            num_d=num_d,
            lambda_feat=lambda_feat,
            lambda_vgg=lambda_feat,
            vgg_weights=vgg_weights,
            **kwargs,
        )

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """G1 or G2(G1) on the label map; unless ``generator_only``, the multi-scale D. N(0, 0.02) init."""
        downsamplings, blocks, local_blocks = self.g_args
        channels = options.in_channels + int(self.instance_maps)
        if options.net_g == "local":
            generator: nn.Module = LocalEnhancer(
                channels, options.out_channels, options.ngf, downsamplings, blocks, local_blocks, options.norm
            )
        else:
            generator = GlobalGenerator(
                channels, options.out_channels, options.ngf, downsamplings, blocks, options.norm
            )
        init_dcgan_weights_(generator)
        if generator_only:
            return generator, None
        discriminator = self.build_discriminator(options)
        init_dcgan_weights_(discriminator)
        return generator, discriminator

    def fakes(self, batch: Any) -> Tensor:
        return self.generator(self.labels(batch))

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        labels, image = self.labels(batch), self.pair(batch)[1]
        fake = self.fake_batch(batch)
        real, fake_scores = self.scores(labels, image), self.scores(labels, fake)
        # The authors' 0.5 (L(D(x), 1) + L(D(G(s)), 0)), summed over the scales.
        loss = sum(self.loss_d(r[-1], f[-1]) for r, f in zip(real, fake_scores, strict=True))
        return {"loss": loss}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        labels, image = self.labels(batch), self.pair(batch)[1]
        fake = self.fakes(batch)
        real, fake_scores = self.scores(labels, image), self.scores(labels, fake)
        gan = sum(self.loss_g(f[-1]) for f in fake_scores)
        terms = {"g_gan": gan, **self.matching_terms(real, fake_scores, image, fake)}
        return {"loss": sum(terms.values()), **terms}
