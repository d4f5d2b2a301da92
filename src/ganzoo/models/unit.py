"""UNIT: Liu et al., "Unsupervised Image-to-Image Translation Networks", NIPS 2017.

Shared latent space: images of both domains are encoded by VAEs into one latent space, so an image of A
encoded and decoded by B's decoder is its translation. Each VAE is trained to reconstruct its domain
(L1, with the code sampled as mean + N(0, I) noise and a KL term pulling the means to 0), each translation
to fool the target domain's multi-scale D (LSGAN), and each translation to come back (cycle
reconstruction, with its own KL term).

Defaults are the authors' (NVlabs/MUNIT's ``UNIT_Trainer`` and its UNIT configs): gan_w 1, recon_x_w 10,
recon_kl_w 0.01, recon_x_cyc_w 10, recon_kl_cyc_w 0.01; encoders/decoders of width 64 with 2 downsamplings
and 4 residual blocks, reflection padding; D of 4 layers at 3 scales; Adam(1e-4, (0.5, 0.999), weight decay
1e-4), lr halved every 100,000 iterations, batch 1. The VGG perceptual term of the configs is 0 and not
built. The authors' test script runs the networks in eval mode; ``translate(..., eval_mode=True)`` does too.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.autoencoding import AutoencodingTranslationModule
from ganzoo.nn.munit import VAEGenerator
from ganzoo.registry import PAPERS


@PAPERS.register
class UNIT(AutoencodingTranslationModule):
    """Args:
    gan_w, recon_x_w, recon_kl_w, recon_x_cyc_w, recon_kl_cyc_w: the authors' loss weights.
    gen_dim, n_downsample, n_res: the auto-encoders (``gen:`` settings).
    The rest are ``AutoencodingTranslationModule``'s (``channels``, ``dis_dim``, ``num_scales`` ...).
    """

    def __init__(
        self,
        gan_w: float = 1.0,
        recon_x_w: float = 10.0,
        recon_kl_w: float = 0.01,
        recon_x_cyc_w: float = 10.0,
        recon_kl_cyc_w: float = 0.01,
        gen_dim: int = 64,
        n_downsample: int = 2,
        n_res: int = 4,
        channels: int = 3,
        image_size: int = 256,
        **kwargs: Any,
    ) -> None:
        autoencoders = {k: VAEGenerator(channels, gen_dim, n_downsample, n_res) for k in "AB"}
        super().__init__(autoencoders, channels=channels, image_size=image_size, **kwargs)
        self.weights = {
            "gan": gan_w,
            "recon_x": recon_x_w,
            "recon_kl": recon_kl_w,
            "recon_x_cyc": recon_x_cyc_w,
            "recon_kl_cyc": recon_kl_cyc_w,
        }

    def run_translator(self, net: nn.Module, x: Tensor) -> Tensor:
        """The target decoder on the source's code mean (no sampling noise), as the authors test."""
        return net["target"].decode(net["source"].encode(x))

    @staticmethod
    def _sample(mean: Tensor) -> Tensor:
        return mean + torch.randn_like(mean)

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        """Translations into each domain from a sampled code of the other: ``{"A": x_ba, "B": x_ab}``."""
        x = self.pair(batch)
        h = {k: self.generator[k].encode(x[k]) for k in "AB"}
        return {
            "A": self.generator["A"].decode(self._sample(h["B"])),
            "B": self.generator["B"].decode(self._sample(h["A"])),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        x = self.pair(batch)
        w = self.weights
        out: dict[str, Tensor] = {}
        h = {k: self.generator[k].encode(x[k]) for k in "AB"}
        z = {k: self._sample(h[k]) for k in "AB"}
        fake = {"A": self.generator["A"].decode(z["B"]), "B": self.generator["B"].decode(z["A"])}
        out.update(self.adversarial_g(fake))
        for k, other in (("A", "B"), ("B", "A")):
            out[f"recon_x_{k.lower()}"] = F.l1_loss(self.generator[k].decode(z[k]), x[k])
            out[f"recon_kl_{k.lower()}"] = losses.unit_kl(h[k])
            # k -> other -> k: encode the translation with the other domain's encoder, decode with k's
            h_back = self.generator[other].encode(fake[other])
            out[f"recon_kl_cyc_{k.lower()}"] = losses.unit_kl(h_back)
            if w["recon_x_cyc"] > 0:
                out[f"recon_x_cyc_{k.lower()}"] = F.l1_loss(
                    self.generator[k].decode(self._sample(h_back)), x[k]
                )
        loss = sum(w[name.rsplit("_", 1)[0].removeprefix("g_")] * v for name, v in out.items())
        return {"loss": loss, **out}
