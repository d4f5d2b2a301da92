"""MUNIT: Huang et al., "Multimodal Unsupervised Image-to-Image Translation", ECCV 2018.

Each image is a domain-invariant content code (a spatial map) and a domain-specific style code (a vector
with a N(0, I) prior). Translating A to B keeps A's content and draws B's style, so one input has many
translations; an image of B given as ``reference`` lends its style instead. Training: each auto-encoder
reconstructs its images (L1), translations fool the target's multi-scale D (LSGAN), and the codes are
recovered from translations (content L1 and style L1: the latent reconstructions); an optional cycle term
reconstructs the image through the round trip.

Defaults are the authors' (NVlabs/MUNIT ``configs/edges2shoes_folder.yaml``): gan_w 1, recon_x_w 10,
recon_s_w 1, recon_c_w 1, recon_x_cyc_w 0; width 64, style_dim 8, 2 downsamplings, 4 residual blocks,
MLP of 256 units; D of 4 layers at 3 scales; Adam(1e-4, (0.5, 0.999), weight decay 1e-4), lr halved every
100,000 iterations, batch 1. The authors' test script runs in eval mode; ``translate(..., eval_mode=True)``
does too.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.models.autoencoding import AutoencodingTranslationModule
from ganzoo.nn.munit import AdaINGenerator
from ganzoo.registry import PAPERS


@PAPERS.register
class MUNIT(AutoencodingTranslationModule):
    """Args:
    gan_w, recon_x_w, recon_s_w, recon_c_w, recon_x_cyc_w: the authors' loss weights.
    gen_dim, style_dim, n_downsample, n_res, mlp_dim: the auto-encoders (``gen:`` settings).
    The rest are ``AutoencodingTranslationModule``'s (``channels``, ``dis_dim``, ``num_scales`` ...).
    """

    def __init__(
        self,
        gan_w: float = 1.0,
        recon_x_w: float = 10.0,
        recon_s_w: float = 1.0,
        recon_c_w: float = 1.0,
        recon_x_cyc_w: float = 0.0,
        gen_dim: int = 64,
        style_dim: int = 8,
        n_downsample: int = 2,
        n_res: int = 4,
        mlp_dim: int = 256,
        channels: int = 3,
        image_size: int = 256,
        **kwargs: Any,
    ) -> None:
        autoencoders = {
            k: AdaINGenerator(channels, gen_dim, style_dim, n_downsample, n_res, mlp_dim) for k in "AB"
        }
        super().__init__(autoencoders, channels=channels, image_size=image_size, **kwargs)
        self.style_dim = style_dim
        self.weights = {"gan": gan_w, "recon_x": recon_x_w, "recon_s": recon_s_w, "recon_c": recon_c_w}
        self.weights["recon_x_cyc"] = recon_x_cyc_w

    # --- translating ------------------------------------------------------------------------------

    def styles(self, n: int, *, seed: int | None = None) -> Tensor:
        """``n`` style codes from the N(0, I) prior, (n, style_dim, 1, 1); ``seed`` makes them repeatable."""
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        return torch.randn(n, self.style_dim, 1, 1, generator=generator).to(self.device, self.dtype)

    def run_translator(
        self,
        net: nn.Module,
        x: Tensor,
        *,
        z: Tensor | None = None,
        seed: int | None = None,
        reference: Tensor | None = None,
    ) -> Tensor:
        """The source's content of ``x`` decoded with a target style: ``z`` (a (style_dim,) or
        (N, style_dim) code), the style of ``reference`` images of the target domain, or one drawn from
        the prior (``seed``)."""
        if sum(v is not None for v in (z, reference, seed)) > 1:
            raise ValueError("give one of z=, reference= or seed= (a style code, an example, or a draw)")
        content, _ = net["source"].encode(x)
        if reference is not None:
            reference = reference.unsqueeze(0) if reference.dim() == 3 else reference
            _, style = net["target"].encode(reference.to(x.device, x.dtype))
        elif z is not None:
            style = z.to(x.device, x.dtype).reshape(-1, self.style_dim, 1, 1)
        else:
            style = self.styles(len(x), seed=seed)
        if len(style) == 1:
            style = style.expand(len(x), -1, -1, -1)
        if len(style) != len(x):
            raise ValueError(f"{len(style)} style codes for {len(x)} images; give one, or one per image")
        return net["target"].decode(content, style)

    def diversity(
        self,
        image: Tensor,
        k: int = 8,
        direction: str | None = None,
        *,
        seed: int = 0,
        eval_mode: bool = False,
    ) -> Tensor:
        """``k`` translations of one (C, H, W) image, each with its own style drawn from the prior:
        (k, C, H, W), for a diversity grid (``ganzoo.save_image_grid``)."""
        batch = image.unsqueeze(0).expand(k, -1, -1, -1)
        return self.translate(batch, direction, eval_mode=eval_mode, z=self.styles(k, seed=seed))

    # --- training ---------------------------------------------------------------------------------

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        """Translations into each domain with prior styles: ``{"A": x_ba, "B": x_ab}``."""
        x = self.pair(batch)
        content = {k: self.generator[k].encode(x[k])[0] for k in "AB"}
        return {
            "A": self.generator["A"].decode(content["B"], self.styles(len(x["B"]))),
            "B": self.generator["B"].decode(content["A"], self.styles(len(x["A"]))),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        x, w = self.pair(batch), self.weights
        codes = {k: self.generator[k].encode(x[k]) for k in "AB"}  # (content, own style)
        prior = {k: self.styles(len(x[k])) for k in "AB"}
        fake = {
            "A": self.generator["A"].decode(codes["B"][0], prior["A"]),
            "B": self.generator["B"].decode(codes["A"][0], prior["B"]),
        }
        out = self.adversarial_g(fake)
        for k, other in (("A", "B"), ("B", "A")):
            content, style = codes[k]
            out[f"recon_x_{k.lower()}"] = F.l1_loss(self.generator[k].decode(content, style), x[k])
            # the translation into `other` keeps k's content and carries other's drawn style
            content_back, style_back = self.generator[other].encode(fake[other])
            out[f"recon_c_{k.lower()}"] = F.l1_loss(content_back, content)
            out[f"recon_s_{other.lower()}"] = F.l1_loss(style_back, prior[other])
            if w["recon_x_cyc"] > 0:
                cycled = self.generator[k].decode(content_back, style)
                out[f"recon_x_cyc_{k.lower()}"] = F.l1_loss(cycled, x[k])
        loss = sum(w[name.rsplit("_", 1)[0].removeprefix("g_")] * v for name, v in out.items())
        return {"loss": loss, **out}
