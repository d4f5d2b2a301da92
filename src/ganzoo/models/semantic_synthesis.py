"""What pix2pixHD and SPADE share: label maps in (one-hot, plus instance boundaries when the data has
instance maps), a multi-scale PatchGAN on (labels, image) returning every layer for feature matching, and
the optional VGG loss. Batches are ``{"A": one-hot labels, "B": images}`` (``paired`` with ``labels=``),
with an optional ``"instance"`` (N, 1, H, W) map of instance ids.
"""

from __future__ import annotations

from typing import Any

import torch
from PIL import Image
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.translation import Direction, ImageTranslationModule, NetworkOptions
from ganzoo.nn.instance_edges import instance_boundaries
from ganzoo.nn.multiscale_discriminator import FeaturePatchDiscriminator, MultiscaleDiscriminator
from ganzoo.nn.vgg_features import VGG19Features

VGG_WEIGHTS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)


class SemanticSynthesisModule(ImageTranslationModule):
    """Base of label-map-to-image papers. ``in_channels`` is the number of label classes; ``instance_maps``
    adds one input channel for the boundary map; ``vgg_weights`` (a path to torchvision's VGG19 file)
    turns on the VGG loss, weighted ``lambda_vgg``; ``lambda_feat`` weights feature matching; ``num_d``
    scales of discriminators with ``n_layers_d`` stride-2 layers; ``spectral_d`` puts spectral norm in D."""

    spectral_d = False

    def __init__(
        self,
        *,
        instance_maps: bool,
        num_d: int,
        lambda_feat: float,
        lambda_vgg: float,
        vgg_weights: str | None,
        **kwargs: Any,
    ) -> None:
        self.num_d, self.instance_maps = num_d, instance_maps  # read by build_networks
        super().__init__(**kwargs)
        self.lambda_feat, self.lambda_vgg = lambda_feat, lambda_vgg
        # The user's fixed VGG file is no part of the model: kept out of the module tree, so never saved.
        vgg = None if vgg_weights is None or self.generator_only else VGG19Features(vgg_weights)
        object.__setattr__(self, "vgg", vgg)

    @property
    def label_channels(self) -> int:
        return self.hparams.in_channels + int(self.instance_maps)

    def build_discriminator(self, options: NetworkOptions) -> nn.Module:
        return MultiscaleDiscriminator(
            FeaturePatchDiscriminator(
                self.discriminator_channels(options),
                options.ndf,
                options.n_layers_d,
                options.norm,
                self.spectral_d,
            )
            for _ in range(self.num_d)
        )

    def discriminator_channels(self, options: NetworkOptions) -> int:
        """D's input: the label map (with boundaries) and the image."""
        return options.in_channels + int(self.instance_maps) + options.out_channels

    def labels(self, batch: Any) -> Tensor:
        """The generator's input: one-hot labels, with the instance boundary map when instance maps are on."""
        labels, _ = self.pair(batch)
        if not self.instance_maps:
            return labels
        if not isinstance(batch, dict) or "instance" not in batch:
            raise ValueError(
                "instance_maps=True needs an 'instance' map (N, 1, H, W) of instance ids in each batch"
            )
        return torch.cat([labels, instance_boundaries(batch["instance"])], 1)

    def scores(self, labels: Tensor, image: Tensor) -> list[list[Tensor]]:
        return self.discriminator(torch.cat([labels, image], 1))

    def matching_terms(
        self, real: list[list[Tensor]], fake_scores: list[list[Tensor]], image: Tensor, fake: Tensor
    ) -> dict[str, Tensor]:
        """Feature matching, and the VGG loss when its weights were given."""
        out = {"g_feat": self.lambda_feat * losses.feature_matching(real, fake_scores)}
        if self.vgg is not None:
            vgg = self.vgg.to(image.device, image.dtype)
            out["g_vgg"] = self.lambda_vgg * losses.perceptual_l1(vgg(image), vgg(fake), VGG_WEIGHTS)
        return out

    def displayable(self, inputs: Tensor) -> Tensor:
        """One-hot labels coloured by class (evenly spaced hues), in [-1, 1], for grids."""
        classes = inputs[:, : self.hparams.in_channels].argmax(1)
        hue = classes.float() / self.hparams.in_channels * 6
        rgb = torch.stack([(hue - s).remainder(6).sub(3).abs().sub(1).clamp(0, 1) for s in (0, 4, 2)], 1)
        return rgb * 2 - 1

    def translator(self, direction: Direction | None) -> nn.Module:
        if direction not in (None, "AtoB"):
            raise ValueError(
                f"a label-to-image model translates labels to images only (got direction {direction!r})"
            )
        return self.generator

    def translate(
        self, image: Tensor | Image.Image, direction: Direction | None = None, **options: Any
    ) -> Tensor:
        """The image for a one-hot label map, (K, H, W) or (N, K, H, W) (with the boundary map as its last
        channel when ``instance_maps``); a colour label image goes through its palette first."""
        if not isinstance(image, Tensor):
            raise TypeError(
                "label-to-image models take one-hot label maps as tensors, (K, H, W) or (N, K, H, W); map a "
                "colour label image with its palette first (ganzoo.data.palettes: Palette.indices, one-hot)"
            )
        return super().translate(image, direction, **options)
