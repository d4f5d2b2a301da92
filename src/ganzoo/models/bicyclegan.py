"""BicycleGAN: Zhu et al., "Toward Multimodal Image-to-Image Translation", NeurIPS 2017.

pix2pix maps an input to one output; BicycleGAN makes the output depend on a latent code z as well, and
keeps z from being ignored by tying the two together both ways:

- cVAE-GAN (B -> z -> B'): an encoder E maps the target B to q(z | B) = N(mu, sigma^2), G(A, z) must
  rebuild B (lambda_L1 ||B - G(A, z)||_1) and fool D; lambda_KL KL(q(z | B) || N(0, I)) keeps q near the
  prior that test-time codes are drawn from.
- cLR-GAN (z -> B' -> z'): G(A, z) for a random z must fool a second D, and E must recover z from it
  (lambda_latent ||z - E(G(A, z))||_1, which updates G only, as in the authors' code).

Defaults are the authors' (``junyanz/BicycleGAN``, ``options/``, ``models/bicycle_gan_model.py``): z added
to every layer of a ``unet_256`` (``--where_add all``), ResNet encoder, instance norm, two 2-scale
PatchGANs (``basic_256_multi``, D judges B alone), least-squares GAN loss, lambda_L1 10, lambda_KL 0.01,
lambda_latent 0.5, nz 8, Adam(2e-4, (0.5, 0.999)) for G, E and each D, batches of 2 whose first half is
encoded and whose second half gives the second D its real images, 100 + 100 epochs. The authors update
G and E before D on each batch; here D goes first, as everywhere in ganzoo.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.base import running_as
from ganzoo.models.capabilities import MultimodalTranslator
from ganzoo.models.translation import Direction, ImageTranslationModule, NetworkOptions, TranslationLoss
from ganzoo.nn.multiscale_discriminator import MultiscaleDiscriminator
from ganzoo.nn.norm import NormName
from ganzoo.nn.patchgan import PatchDiscriminator
from ganzoo.nn.resnet_encoder import ResNetEncoder
from ganzoo.nn.unet_with_z import UNetWithZ
from ganzoo.nn.xavier import init_xavier_
from ganzoo.registry import PAPERS


def _unet_depth(net_g: str) -> int:
    size = int(net_g[5:]) if net_g.startswith("unet_") and net_g[5:].isdigit() else 0
    if size < 64 or size & (size - 1):
        raise ValueError(f"BicycleGAN's generator is unet_<size> with size a power of 2 >= 64, got {net_g!r}")
    return size.bit_length() - 1


@PAPERS.register
class BicycleGAN(MultimodalTranslator, ImageTranslationModule):
    """``generator`` is the authors' ``netG`` (``G_Unet_add_all``), ``encoder`` their ``netE``
    (``E_ResNet``); ``discriminator["cvae"]`` / ``["clr"]`` their ``netD`` / ``netD2``.

    Args:
        nz: the latent code's length.
        lambda_l1, lambda_kl, lambda_z, lambda_gan, lambda_gan2: the authors' ``--lambda_L1``,
            ``--lambda_kl``, ``--lambda_z``, ``--lambda_GAN`` (cVAE-GAN's D), ``--lambda_GAN2`` (cLR-GAN's).
        nef: the encoder's width (``--nef``); its depth follows ``net_g`` (5 blocks for 256, 4 for 128).
        num_ds: scales per discriminator (``--num_Ds``); each coarser scale has half the width.
        init_gain: the gain of the Xavier-normal initialisation (``--init_type xavier --init_gain``).
        The network flags (``net_g`` = ``unet_<size>``, ``norm``, ``dropout``, ``ngf``, ``ndf``,
        ``n_layers_d``) are ``ImageTranslationModule``'s. ``generator_only=True`` builds the published form:
        G and E, no discriminators.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        nz: int = 8,
        net_g: str = "unet_256",
        norm: NormName = "instance",
        dropout: bool = False,
        lambda_l1: float = 10.0,
        lambda_kl: float = 0.01,
        lambda_z: float = 0.5,
        lambda_gan: float = 1.0,
        lambda_gan2: float = 1.0,
        nef: int = 64,
        num_ds: int = 2,
        init_gain: float = 0.02,
        loss: TranslationLoss = "least_squares",
        **kwargs: Any,
    ) -> None:
        if nz < 1:
            raise ValueError(f"nz must be >= 1, got {nz}")
        # read by build_networks, which runs inside super().__init__
        self.nz, self.num_ds, self.init_gain = nz, num_ds, init_gain
        depth = _unet_depth(net_g)
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,  # type: ignore[arg-type]
            norm=norm,
            dropout=dropout,
            loss=loss,
            **kwargs,
        )
        self.encoder = ResNetEncoder(out_channels, nz, nef, n_blocks=depth - 3, norm=norm)
        init_xavier_(self.encoder, init_gain)
        self.lambda_l1, self.lambda_kl, self.lambda_z = lambda_l1, lambda_kl, lambda_z
        self.lambda_gan, self.lambda_gan2 = lambda_gan, lambda_gan2

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """G(A, z); unless ``generator_only``, the two multi-scale PatchGANs on B images."""
        generator = UNetWithZ(
            options.in_channels,
            options.out_channels,
            self.nz,
            _unet_depth(options.net_g),
            options.ngf,
            options.norm,
            options.dropout,
        )
        init_xavier_(generator, self.init_gain)
        if generator_only:
            return generator, None

        def multiscale() -> MultiscaleDiscriminator:
            return MultiscaleDiscriminator(
                PatchDiscriminator(
                    options.out_channels, round(options.ndf / 2**i), options.n_layers_d, options.norm
                )
                for i in range(self.num_ds)
            )

        discriminator = nn.ModuleDict({"cvae": multiscale(), "clr": multiscale()})
        init_xavier_(discriminator, self.init_gain)
        return generator, discriminator

    def generator_parameters(self) -> Iterable[nn.Parameter]:
        # The authors' separate Adams for G and E are one Adam over both: Adam's update is per parameter.
        return itertools.chain(self.generator.parameters(), self.encoder.parameters())

    # --- training ---------------------------------------------------------------------------------

    def _halves(self, batch: Any) -> tuple[Tensor, Tensor, Tensor]:
        a, b = self.pair(batch)
        if a.shape[0] < 2 or a.shape[0] % 2:
            raise ValueError(
                f"BicycleGAN trains on batches of an even size >= 2 (half encoded, half random), got "
                f"{a.shape[0]}; set the data's batch_size to 2 (the authors') or another even number"
            )
        half = a.shape[0] // 2
        return a[:half], b[:half], b[half:]

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        """G(A, E(B)) for the cVAE-GAN, G(A, z) for a random z for the cLR-GAN, and what made them."""
        a, b, _ = self._halves(batch)
        mu, logvar = self.encoder(b)
        z_encoded = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        z_random = torch.randn_like(mu)
        return {
            "encoded": self.generator(a, z_encoded),
            "random": self.generator(a, z_random),
            "mu": mu,
            "logvar": logvar,
            "z_random": z_random,
        }

    def _gan_d(self, name: str, real: Tensor, fake: Tensor) -> Tensor:
        # The authors' D loss is L(real, 1) + L(fake, 0), summed over scales: twice ``loss_d`` (halved).
        d = self.discriminator[name]
        return sum(2.0 * self.loss_d(r, f) for r, f in zip(d(real), d(fake), strict=True))

    def _gan_g(self, name: str, fake: Tensor) -> Tensor:
        return sum(self.loss_g(s) for s in self.discriminator[name](fake))

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        _, b_encoded, b_random = self._halves(batch)
        fake = self.fake_batch(batch)
        d_cvae = (
            self._gan_d("cvae", b_encoded, fake["encoded"])
            if self.lambda_gan > 0
            else b_encoded.new_zeros(())
        )
        d_clr = (
            self._gan_d("clr", b_random, fake["random"]) if self.lambda_gan2 > 0 else b_random.new_zeros(())
        )
        return {"loss": d_cvae + d_clr, "d_cvae": d_cvae, "d_clr": d_clr}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        _, b, _ = self._halves(batch)
        fake = self.fakes(batch)
        gan = self.lambda_gan * self._gan_g("cvae", fake["encoded"])
        gan2 = self.lambda_gan2 * self._gan_g("clr", fake["random"])
        kl = self.lambda_kl * losses.gaussian_kl(fake["mu"], (0.5 * fake["logvar"]).exp()).sum()
        l1 = self.lambda_l1 * F.l1_loss(fake["encoded"], b)
        # E(G(A, z)) ~ z trains G alone: the encoder's weights enter this term as constants.
        frozen = {name: p.detach() for name, p in self.encoder.named_parameters()}
        mu2, _ = torch.func.functional_call(self.encoder, frozen, (fake["random"],))
        z_l1 = self.lambda_z * F.l1_loss(mu2, fake["z_random"])
        return {
            "loss": gan + gan2 + kl + l1 + z_l1,
            "g_gan": gan,
            "g_gan2": gan2,
            "kl": kl,
            "g_l1": l1,
            "z_l1": z_l1,
        }

    # --- inference --------------------------------------------------------------------------------

    def translator(self, direction: Direction | None) -> nn.Module:
        if direction not in (None, "AtoB"):
            raise ValueError(
                "a BicycleGAN translates one way only, the direction it was trained in (the data's "
                f"`direction`); call translate() without direction (got {direction!r})"
            )
        return self.generator

    def image_channels(self, net: nn.Module) -> int:
        # G's first convolution also takes z, so the image channels come from the configuration.
        return self.hparams.out_channels if net is self.encoder else self.hparams.in_channels

    def latent(self, n: int, *, seed: int | None = None) -> Tensor:
        """``n`` codes from the prior N(0, I), as the authors' test script draws them."""
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        return torch.randn(n, self.nz, generator=generator).to(self.device, self.dtype)

    def run_translator(
        self, net: nn.Module, x: Tensor, *, z: Tensor | None = None, seed: int | None = None
    ) -> Tensor:
        """G(x, z) with the code ``z`` ((nz,) or (N, nz); e.g. ``encode(reference)``), else one drawn from
        N(0, I) (with ``seed``, fixed)."""
        if z is None:
            z = self.latent(x.shape[0], seed=seed)
        elif seed is not None:
            raise ValueError("give translate() either z or seed, not both")
        z = (z.unsqueeze(0) if z.dim() == 1 else z).to(self.device, self.dtype)
        if z.shape[0] == 1 and x.shape[0] > 1:
            z = z.expand(x.shape[0], -1)
        return net(x, z)

    def translate(
        self,
        image: Tensor | Image.Image,
        direction: Direction | None = None,
        *,
        eval_mode: bool = True,
        **options: Any,
    ) -> Tensor | Image.Image:
        """``TranslationModule.translate`` with ``z=`` or ``seed=`` (``run_translator``); ``eval_mode=True``
        (the default) runs G as the authors' test script does (``model.eval()``: no dropout)."""
        return super().translate(image, direction, eval_mode=eval_mode, **options)

    @torch.no_grad()
    def translate_samples(self, image: Tensor | Image.Image, k: int, *, seed: int | None = None) -> Tensor:
        """``k`` translations of one input, one per code drawn from N(0, I): the paper's diversity grid."""
        x = self._to_tensor(image, self.generator) if isinstance(image, Image.Image) else image
        if not isinstance(x, Tensor) or x.dim() != 3:
            raise TypeError("translate_samples() takes one PIL image or one (C, H, W) tensor in [-1, 1]")
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        return self.translate(x.unsqueeze(0).expand(k, -1, -1, -1), z=self.latent(k, seed=seed))

    @torch.no_grad()
    def encode(self, image: Tensor | Image.Image) -> Tensor:
        """The code of a target-domain image: the mean of E(B), as the authors' test script encodes it.
        Returns (nz,) for one image, (N, nz) for a batch."""
        x = self._to_tensor(image, self.encoder) if isinstance(image, Image.Image) else image
        with running_as(self.encoder, training=False):
            mu, _ = self.encoder((x.unsqueeze(0) if x.dim() == 3 else x).to(self.device, self.dtype))
        return mu[0] if x.dim() == 3 else mu
