"""The image-to-image bases. ``TranslationModule``: ``translate()``, the inference path that needs no training
script, for every translation paper. ``ImageTranslationModule``: what pix2pix and CycleGAN share on top -
the network flags of their authors' repository, their GAN objective and their linear learning-rate decay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from PIL import Image
from torch import Tensor, nn
from torch.optim.lr_scheduler import LambdaLR

from ganzoo import losses
from ganzoo.models.base import GANModule, running_as
from ganzoo.models.capabilities import Translator
from ganzoo.nn.dcgan import init_dcgan_weights_
from ganzoo.nn.norm import NormName
from ganzoo.nn.patchgan import PatchDiscriminator, PixelDiscriminator
from ganzoo.nn.resnet_generator import ResnetGenerator
from ganzoo.nn.unet import UNetGenerator

Direction = Literal["AtoB", "BtoA"]
TranslationLoss = Literal["nonsaturating", "least_squares", "wasserstein"]


GeneratorName = Literal["unet_256", "unet_128", "unet_64", "unet_32", "resnet_9blocks", "resnet_6blocks"]
DiscriminatorName = Literal["basic", "n_layers", "pixel"]
_RESNET_BLOCKS = {"resnet_6blocks": 6, "resnet_9blocks": 9}


def build_generator(
    name: GeneratorName, in_channels: int, out_channels: int, ngf: int, norm: NormName, dropout: bool
) -> nn.Module:
    """The authors' ``--netG`` choices, initialised N(0, 0.02) as by their ``--init_type normal``.

    ``unet_<s>`` halves an s x s image down to 1x1 (the authors have s = 128 and 256; 32 and 64 are the
    same design for smaller images).
    """
    size = int(name[5:]) if name.startswith("unet_") and name[5:].isdigit() else 0
    if size >= 32 and size & (size - 1) == 0:
        net = UNetGenerator(in_channels, out_channels, size.bit_length() - 1, ngf, norm, dropout)
    elif name in _RESNET_BLOCKS:
        net = ResnetGenerator(in_channels, out_channels, ngf, _RESNET_BLOCKS[name], norm, dropout)
    else:
        raise ValueError(
            f"unknown generator {name!r}; choose unet_256, unet_128, unet_64, unet_32, resnet_9blocks or "
            "resnet_6blocks"
        )
    init_dcgan_weights_(net)
    return net


def build_discriminator(
    name: DiscriminatorName, in_channels: int, ndf: int, n_layers: int, norm: NormName
) -> nn.Module:
    """The authors' ``--netD`` choices: ``basic`` (70x70 PatchGAN), ``n_layers``, ``pixel``."""
    if name == "basic":
        net = PatchDiscriminator(in_channels, ndf, 3, norm)
    elif name == "n_layers":
        net = PatchDiscriminator(in_channels, ndf, n_layers, norm)
    elif name == "pixel":
        net = PixelDiscriminator(in_channels, ndf, norm)
    else:
        raise ValueError(f"unknown discriminator {name!r}; choose 'basic', 'n_layers' or 'pixel'")
    init_dcgan_weights_(net)
    return net


@dataclass(frozen=True)
class NetworkOptions:
    """The network flags every paper of the authors' repository takes (``--netG``, ``--netD``, ...)."""

    in_channels: int
    out_channels: int
    net_g: GeneratorName
    net_d: DiscriminatorName
    n_layers_d: int
    ngf: int
    ndf: int
    norm: NormName
    dropout: bool

    def generator(self, in_channels: int, out_channels: int) -> nn.Module:
        return build_generator(self.net_g, in_channels, out_channels, self.ngf, self.norm, self.dropout)

    def discriminator(self, in_channels: int) -> nn.Module:
        return build_discriminator(self.net_d, in_channels, self.ndf, self.n_layers_d, self.norm)


def linear_decay(epoch: int, n_epochs: int, n_epochs_decay: int, epoch_count: int = 1) -> float:
    """The authors' ``linear`` lr policy: factor 1 for ``n_epochs`` epochs, then down by 1/(n_epochs_decay+1)
    per epoch. ``epoch`` counts from 0; ``epoch_count`` is their 1-based number of the first epoch."""
    return 1.0 - max(0, epoch + epoch_count - n_epochs) / float(n_epochs_decay + 1)


def _halved(loss_d: Callable[[Tensor, Tensor], Tensor]) -> Callable[[Tensor, Tensor], Tensor]:
    return lambda real, fake: 0.5 * loss_d(real, fake)


# The authors' ``GANLoss`` over every patch score, in terms of ``losses``: BCE against 1 / 0 (``vanilla``) or
# MSE against 1 / 0 (``lsgan``). D's objective (L(D(real), 1) + L(D(fake), 0)) / 2 is halved, as the authors
# do, to slow D relative to G; G's L(D(fake), 1) is not, so lsgan's G loss lacks LSGAN's factor 1/2.
OBJECTIVES: dict[str, tuple[Callable[[Tensor, Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "nonsaturating": (_halved(losses.nonsaturating_d), losses.nonsaturating_g),
    "least_squares": (losses.least_squares_d, lambda fake: 2.0 * losses.least_squares_g(fake)),
    # The mean critic score (DualGAN's adversarial loss), not halved.
    "wasserstein": (losses.wasserstein_d, losses.wasserstein_g),
}


class TranslationModule(Translator, GANModule):
    """Base of every image-to-image paper: ``translate()`` over the network ``translator(direction)``
    returns, which ``run_translator`` calls with the paper's own options (a target domain, a style code ...).

    Args:
        image_size: the side PIL images are resized to by ``translate``.
        Everything else goes to ``GANModule``.
    """

    def __init__(
        self, generator: nn.Module, discriminator: nn.Module | None, *, image_size: int = 256, **kwargs: Any
    ) -> None:
        super().__init__(generator, discriminator, **kwargs)
        self.image_size = image_size

    def translator(self, direction: Direction | None) -> nn.Module:
        """The generator that maps images in ``direction``."""
        raise NotImplementedError

    def run_translator(self, net: nn.Module, x: Tensor, **options: Any) -> Tensor:
        """``net`` applied to a batch ``x``; papers whose generator takes more than the image override this
        and turn ``options`` (what ``translate`` was given beyond the image) into those inputs."""
        if options:
            raise TypeError(f"{type(self).__name__}.translate() takes no {', '.join(sorted(options))}")
        return net(x)

    def image_channels(self, net: nn.Module) -> int:
        """The channels of the images ``net`` translates: those of its first convolution by default."""
        return next(m for m in net.modules() if isinstance(m, nn.Conv2d)).in_channels

    @torch.no_grad()
    def translate(
        self,
        image: Tensor | Image.Image,
        direction: Direction | None = None,
        *,
        eval_mode: bool = False,
        **options: Any,
    ) -> Tensor | Image.Image:
        """Translate a PIL image, or a (C, H, W) / (N, C, H, W) tensor in [-1, 1]; returns the same kind.

        A PIL image is prepared as the authors' test script does: converted to RGB (or L), resized to
        ``image_size`` x ``image_size`` (bicubic), scaled to [-1, 1]; the output is a PIL image of that size.
        ``eval_mode=False`` (the default) runs the network as their ``test.py`` does without ``--eval``:
        batch norm uses the statistics of the input batch and dropout stays on (pix2pix's noise), so
        outputs vary from call to call; ``eval_mode=True`` uses running statistics and no dropout.
        Either way the model's weights and running statistics are left unchanged. Instance-norm models
        without dropout (CycleGAN) give the same output in both modes. ``options`` are the paper's own
        (``run_translator``).
        """
        net = self.translator(direction)
        x = self._to_tensor(image, net) if isinstance(image, Image.Image) else image
        if not isinstance(x, Tensor) or x.dim() not in (3, 4):
            raise TypeError("translate() takes a PIL image or a (C, H, W) / (N, C, H, W) tensor in [-1, 1]")
        with running_as(net, training=not eval_mode):
            out = self.run_translator(
                net, (x.unsqueeze(0) if x.dim() == 3 else x).to(self.device, self.dtype), **options
            )
        out = out if x.dim() == 4 else out[0]
        return self._to_pil(out) if isinstance(image, Image.Image) else out

    def _to_tensor(self, image: Image.Image, net: nn.Module) -> Tensor:
        channels = self.image_channels(net)
        image = image.convert("RGB" if channels == 3 else "L")
        image = image.resize((self.image_size, self.image_size), Image.BICUBIC)
        array = torch.from_numpy(np.asarray(image, dtype=np.float32).copy()) / 127.5 - 1.0
        return array.permute(2, 0, 1) if array.dim() == 3 else array.unsqueeze(0)

    @staticmethod
    def _to_pil(image: Tensor) -> Image.Image:
        # (x + 1) / 2 * 255, truncated to uint8 as the authors' tensor2im does.
        array = ((image.float().cpu() + 1.0) * 127.5).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
        return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


class ImageTranslationModule(TranslationModule):
    """Base of the image-to-image papers. Batches are ``{"A": Tensor, "B": Tensor}`` in [-1, 1]. A paper
    builds its networks from the shared flags (``build_networks``) and defines its objectives.

    Args:
        in_channels, out_channels, net_g, net_d, n_layers_d, ngf, ndf, norm, dropout: the authors'
            ``--input_nc``, ``--output_nc``, ``--netG``, ``--netD``, ``--n_layers_D``, ``--ngf``, ``--ndf``,
            ``--norm``; ``dropout`` is ``not --no_dropout`` (``NetworkOptions``).
        generator_only: build the published form: the generator(s) alone, for inference.
        loss: ``"nonsaturating"`` (the authors' ``vanilla``: BCE on logits) or ``"least_squares"``
            (``lsgan``: MSE against 1 / 0, without LSGAN's factor 1/2 on G's loss) or ``"wasserstein"``
            (mean critic scores).
        n_epochs, n_epochs_decay: lr constant for ``n_epochs`` epochs, then linearly decayed over
            ``n_epochs_decay`` epochs (the authors' ``--n_epochs`` / ``--n_epochs_decay``,
            ``--lr_policy linear``).
        image_size: the side PIL images are resized to by ``translate`` (the authors' ``--crop_size``).
        Everything else goes to ``TranslationModule`` / ``GANModule`` (``lr_g``, ``lr_d``, ``d_steps``, ...).
    """

    def __init__(
        self,
        *,
        net_g: GeneratorName,
        norm: NormName,
        dropout: bool,
        loss: TranslationLoss,
        in_channels: int = 3,
        out_channels: int = 3,
        net_d: DiscriminatorName = "basic",
        n_layers_d: int = 3,
        ngf: int = 64,
        ndf: int = 64,
        generator_only: bool = False,
        n_epochs: int = 100,
        n_epochs_decay: int = 100,
        image_size: int = 256,
        **kwargs: Any,
    ) -> None:
        if loss not in OBJECTIVES:
            raise ValueError(
                "loss must be 'nonsaturating' (vanilla), 'least_squares' (lsgan) or 'wasserstein', "
                f"got {loss!r}"
            )
        if n_epochs < 0 or n_epochs_decay < 0 or n_epochs + n_epochs_decay == 0:
            raise ValueError(
                "n_epochs and n_epochs_decay must be >= 0 with a positive sum, "
                f"got {n_epochs} and {n_epochs_decay}"
            )

        def scheduler(opt: torch.optim.Optimizer) -> LambdaLR:
            return LambdaLR(opt, lambda epoch: linear_decay(epoch, n_epochs, n_epochs_decay))

        options = NetworkOptions(in_channels, out_channels, net_g, net_d, n_layers_d, ngf, ndf, norm, dropout)
        generator, discriminator = self.build_networks(options, generator_only)
        super().__init__(generator, discriminator, scheduler=scheduler, image_size=image_size, **kwargs)
        self.loss_d, self.loss_g = OBJECTIVES[loss]

    @staticmethod
    def pair(batch: Any) -> tuple[Tensor, Tensor]:
        """The ``(A, B)`` images of a batch: a ``{"A", "B"}`` dict (the paired / unpaired DataModules)."""
        if not isinstance(batch, dict) or not {"A", "B"} <= batch.keys():
            got = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
            raise TypeError(
                f"image-to-image models train on {{'A': images, 'B': images}} batches, got {got}; "
                "use the 'paired' or 'unpaired' DataModule"
            )
        return batch["A"], batch["B"]

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """(generator, discriminator or ``None`` when ``generator_only``); called before the module exists."""
        raise NotImplementedError
