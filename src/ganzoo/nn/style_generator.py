"""The generator shape of the StyleGAN family: ``mapping`` (z, c -> ws) followed by ``synthesis`` (ws ->
images), with NVIDIA's ``Generator`` interface. Each paper names its synthesis network and mapping
defaults."""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor, nn

from ganzoo.nn.mapping import MappingNetwork


class StyleGenerator(nn.Module):
    """Args:
    z_dim, c_dim, w_dim: latent, class (0: unconditional) and intermediate latent sizes.
    img_resolution, img_channels: the output images.
    mapping_kwargs: ``MappingNetwork`` arguments, over the paper's ``mapping_defaults``.
    **synthesis_kwargs: arguments of the paper's ``synthesis_class``.
    """

    synthesis_class: ClassVar[type[nn.Module]]
    mapping_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        z_dim: int,
        c_dim: int,
        w_dim: int,
        img_resolution: int,
        img_channels: int,
        mapping_kwargs: dict | None = None,
        **synthesis_kwargs: Any,
    ) -> None:
        super().__init__()
        self.z_dim, self.c_dim, self.w_dim = z_dim, c_dim, w_dim
        self.img_resolution, self.img_channels = img_resolution, img_channels
        self.synthesis = self.synthesis_class(w_dim, img_resolution, img_channels, **synthesis_kwargs)
        self.num_ws = self.synthesis.num_ws
        mapping = {**self.mapping_defaults, **(mapping_kwargs or {})}
        self.mapping = MappingNetwork(z_dim, c_dim, w_dim, self.num_ws, **mapping)

    def forward(
        self,
        z: Tensor,
        c: Tensor | None = None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        update_emas: bool = False,
        **synthesis_kwargs: Any,
    ) -> Tensor:
        ws = self.mapping(z, c, truncation_psi, truncation_cutoff, update_emas)
        return self.synthesis(ws, update_emas=update_emas, **synthesis_kwargs)
