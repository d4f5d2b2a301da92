"""StyleGAN's mapping network z (+ class) -> w, with the running mean of w that truncation pulls towards."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.nn.equalized import EqualizedLinear, pixel_norm


class MappingNetwork(nn.Module):
    """An MLP of ``num_layers`` equalized-lr layers from the normalised z (and embedded class) to w
    (Karras et al. 2019, Sec. 2), broadcast to ``num_ws`` copies, one per synthesis layer.

    ``w_avg`` tracks the mean w during training (``update_emas=True``, decay ``w_avg_beta``); the truncation
    trick in W interpolates towards it: ``w' = w_avg + psi * (w - w_avg)``. Unlike BigGAN's truncation,
    which redraws z from a truncated normal, this keeps z as drawn and moves w, so ``psi`` = 1 is the
    untruncated model, 0 is the average face, and each sample keeps its identity as ``psi`` changes.

    Args:
        z_dim, c_dim, w_dim: sizes of the latent, the one-hot class (0: unconditional) and w.
        num_ws: copies of w to output (``None``: a single [N, w_dim] vector, as D's conditioning uses).
        num_layers: depth (8 in StyleGAN / StyleGAN2, 2 in StyleGAN3).
        embed_features, layer_features: class embedding and hidden sizes (``None``: ``w_dim``).
        activation: of every layer.
        lr_multiplier: the mapping network learns 100x slower than the rest (0.01).
        w_avg_beta: decay of ``w_avg`` (``None``: no running mean and no truncation).
    """

    def __init__(
        self,
        z_dim: int,
        c_dim: int,
        w_dim: int,
        num_ws: int | None,
        *,
        num_layers: int = 8,
        embed_features: int | None = None,
        layer_features: int | None = None,
        activation: str = "lrelu",
        lr_multiplier: float = 0.01,
        w_avg_beta: float | None = 0.998,
    ) -> None:
        super().__init__()
        self.z_dim, self.c_dim, self.w_dim, self.num_ws = z_dim, c_dim, w_dim, num_ws
        self.num_layers = num_layers
        self.w_avg_beta = w_avg_beta
        embed_features = 0 if c_dim == 0 else (w_dim if embed_features is None else embed_features)
        layer_features = w_dim if layer_features is None else layer_features
        features = [z_dim + embed_features] + [layer_features] * (num_layers - 1) + [w_dim]
        if c_dim > 0:
            self.embed = EqualizedLinear(c_dim, embed_features)
        for idx in range(num_layers):
            layer = EqualizedLinear(
                features[idx], features[idx + 1], activation=activation, lr_multiplier=lr_multiplier
            )
            setattr(self, f"fc{idx}", layer)
        if num_ws is not None and w_avg_beta is not None:
            self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(
        self,
        z: Tensor | None,
        c: Tensor | None = None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        update_emas: bool = False,
    ) -> Tensor:
        """ws [N, num_ws, w_dim]; truncation moves the first ``truncation_cutoff`` ws (default: all)."""
        parts = []
        if self.z_dim > 0:
            if z is None or z.dim() != 2 or z.shape[1] != self.z_dim:
                raise ValueError(
                    f"z must have shape [N, {self.z_dim}], got {None if z is None else list(z.shape)}"
                )
            parts.append(pixel_norm(z.float()))
        if self.c_dim > 0:
            if c is None or c.dim() != 2 or c.shape[1] != self.c_dim:
                got = None if c is None else list(c.shape)
                raise ValueError(
                    f"this model is class-conditional: c must have shape [N, {self.c_dim}], got {got}"
                )
            parts.append(pixel_norm(self.embed(c.float())))
        x = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        for idx in range(self.num_layers):
            x = getattr(self, f"fc{idx}")(x)
        if update_emas and self.w_avg_beta is not None:
            self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        if self.num_ws is None:
            return x
        x = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if truncation_psi != 1:
            if self.w_avg_beta is None:
                raise ValueError("this mapping network tracks no w_avg, so it cannot truncate")
            cut = self.num_ws if truncation_cutoff is None else truncation_cutoff
            x = torch.cat([self.w_avg.lerp(x[:, :cut], truncation_psi), x[:, cut:]], dim=1)
        return x

    def extra_repr(self) -> str:
        return f"z_dim={self.z_dim}, c_dim={self.c_dim}, w_dim={self.w_dim}, num_ws={self.num_ws}"
