"""Adaptive discriminator augmentation (Karras et al. 2020b, "Training Generative Adversarial Networks with
Limited Data"): every image D sees, real or fake, is augmented with probability ``p``, and ``p`` follows an
overfitting heuristic, so that D cannot memorise a small training set while the augmentations do not leak
into G's images (each is applied with p < 1, hence invertible in distribution).

Two of the paper's groups: pixel blitting (x-flip, 90-degree rotations, integer translation) and general
geometric transforms (isotropic scaling, pre-rotation, anisotropic scaling, post-rotation, fractional
translation), with the paper's probabilities and parameter distributions (Appendix B). Two simplifications
against NVIDIA's pipe: integer translation wraps around (theirs pads by reflection), and the geometric group
is one bilinear affine resampling with reflection padding (theirs upsamples with a wavelet filter first).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _gate(n: int, p: float, device: torch.device, generator: torch.Generator | None) -> Tensor:
    """1 with probability p per sample, else 0."""
    return (torch.rand(n, device=device, generator=generator) < p).float()


def _rotation(theta: Tensor) -> Tensor:
    c, s = torch.cos(theta), torch.sin(theta)
    m = torch.eye(3, device=theta.device).repeat(theta.shape[0], 1, 1)
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    return m


def _scaling(sx: Tensor, sy: Tensor) -> Tensor:
    m = torch.eye(3, device=sx.device).repeat(sx.shape[0], 1, 1)
    m[:, 0, 0], m[:, 1, 1] = sx, sy
    return m


def _translation(tx: Tensor, ty: Tensor) -> Tensor:
    m = torch.eye(3, device=tx.device).repeat(tx.shape[0], 1, 1)
    m[:, 0, 2], m[:, 1, 2] = tx, ty
    return m


class AugmentPipe(nn.Module):
    """Augment a batch with probability ``p`` (a buffer, updated by the training loop) per transform.

    Args:
        xflip, rotate90, xint: multipliers of ``p`` for the pixel-blitting transforms (1 enables).
        scale, rotate, aniso, xfrac: multipliers for the geometric transforms.
        xint_max, scale_std, rotate_max, aniso_std, xfrac_std: strengths (the paper's 0.125, 0.2 (in
            log2 units), 1 (full circle), 0.2, 0.125).
    """

    def __init__(
        self,
        *,
        xflip: float = 1,
        rotate90: float = 1,
        xint: float = 1,
        scale: float = 1,
        rotate: float = 1,
        aniso: float = 1,
        xfrac: float = 1,
        xint_max: float = 0.125,
        scale_std: float = 0.2,
        rotate_max: float = 1,
        aniso_std: float = 0.2,
        xfrac_std: float = 0.125,
    ) -> None:
        super().__init__()
        self.register_buffer("p", torch.zeros(()))
        self.xflip, self.rotate90, self.xint = xflip, rotate90, xint
        self.scale, self.rotate, self.aniso, self.xfrac = scale, rotate, aniso, xfrac
        self.xint_max, self.scale_std, self.rotate_max = xint_max, scale_std, rotate_max
        self.aniso_std, self.xfrac_std = aniso_std, xfrac_std

    def forward(self, images: Tensor, generator: torch.Generator | None = None) -> Tensor:
        p = float(self.p)
        if p <= 0:
            return images
        n, _, h, w = images.shape
        dev = images.device
        x = images
        if self.xflip > 0:
            flip = _gate(n, p * self.xflip, dev, generator).bool()
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
        if self.rotate90 > 0 and h == w:
            k = torch.randint(4, (n,), device=dev, generator=generator)
            k = torch.where(_gate(n, p * self.rotate90, dev, generator).bool(), k, torch.zeros_like(k))
            x = torch.stack([torch.rot90(img, int(r), dims=(1, 2)) for img, r in zip(x, k, strict=True)])
        if self.xint > 0:
            shift = (torch.rand(n, 2, device=dev, generator=generator) * 2 - 1) * self.xint_max
            shift = shift * _gate(n, p * self.xint, dev, generator)[:, None]
            x = torch.stack(
                [
                    _circular_shift(img, round(float(dx) * w), round(float(dy) * h))
                    for img, (dx, dy) in zip(x, shift, strict=True)
                ]
            )
        return self._geometric(x, p, generator)

    def _geometric(self, x: Tensor, p: float, generator: torch.Generator | None) -> Tensor:
        n, dev = x.shape[0], x.device
        m = torch.eye(3, device=dev).repeat(n, 1, 1)
        gated = False
        if self.scale > 0:
            s = torch.exp2(torch.randn(n, device=dev, generator=generator) * self.scale_std)
            s = torch.where(_gate(n, p * self.scale, dev, generator).bool(), s, torch.ones_like(s))
            m, gated = m @ _scaling(s, s), True
        # Rotation is applied twice (before and after anisotropic scaling), each with p_rot such that the
        # probability of any rotation is p: 1 - (1 - p_rot)^2 = p.
        p_rot = 1 - math.sqrt(max(1 - min(p * self.rotate, 1.0), 0.0))
        for stage in ("pre", "post"):
            if self.rotate > 0:
                theta = (torch.rand(n, device=dev, generator=generator) * 2 - 1) * math.pi * self.rotate_max
                theta = theta * _gate(n, p_rot, dev, generator)
                m, gated = m @ _rotation(theta), True
            if stage == "pre" and self.aniso > 0:
                s = torch.exp2(torch.randn(n, device=dev, generator=generator) * self.aniso_std)
                s = torch.where(_gate(n, p * self.aniso, dev, generator).bool(), s, torch.ones_like(s))
                m, gated = m @ _scaling(s, 1 / s), True
        if self.xfrac > 0:
            t = torch.randn(n, 2, device=dev, generator=generator) * self.xfrac_std
            t = t * _gate(n, p * self.xfrac, dev, generator)[:, None]
            m, gated = m @ _translation(t[:, 0] * 2, t[:, 1] * 2), True  # grid units span [-1, 1]
        if not gated:
            return x
        grid = F.affine_grid(m[:, :2, :], list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def _circular_shift(image: Tensor, dx: int, dy: int) -> Tensor:
    """Integer translation with the image wrapped around (a lossless blit)."""
    return torch.roll(image, shifts=(dy, dx), dims=(1, 2))


def ada_adjustment(sign_real: float, target: float, batch_size: int, interval: int, kimg: float) -> float:
    """The change of p after ``interval`` D steps: ``sign(E[sign(D(x_real))] - target)`` times the rate that
    moves p from 0 to 1 in ``kimg`` thousand real images (Sec. 3, with r_t = E[sign(D_train)])."""
    direction = math.copysign(1.0, sign_real - target) if sign_real != target else 0.0
    return direction * (batch_size * interval) / (kimg * 1000)
