"""Adaptive discriminator augmentation (Karras et al. 2020b, "Training Generative Adversarial Networks with
Limited Data"): every image D sees, real or fake, is augmented with probability ``p``, and ``p`` follows an
overfitting heuristic, so that D cannot memorise a small training set while the augmentations do not leak
into G's images (each is applied with p < 1, hence invertible in distribution).

Two of the paper's groups, with its probabilities and parameter distributions (Appendix B) and NVIDIA's
resampling: pixel blitting (x-flip, 90-degree rotations, integer translation with the incoming pixels
mirrored) and general geometric transforms (isotropic scaling, pre-rotation, anisotropic scaling,
post-rotation, fractional translation). The latter resample the image once, through the composed inverse
transform, at twice the resolution between two passes of an orthogonal wavelet low-pass filter, so that the
resampling neither aliases nor blurs: the image is mirrored out far enough to cover the transformed corners,
upsampled, bilinearly sampled, downsampled and cropped.
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.upfirdn2d import downsample2d, setup_filter, upsample2d

# Low-pass decomposition taps of Daubechies' least-asymmetric wavelet with 6 vanishing moments ("sym6"): an
# orthogonal filter, so its upsampling followed by its (flipped) downsampling is the identity.
SYM6 = (
    0.015404109327027373,
    0.0034907120842174702,
    -0.11799011114819057,
    -0.048311742585633,
    0.4910559419267466,
    0.787641141030194,
    0.3379294217276218,
    -0.07263752278646252,
    -0.021060292512300564,
    0.04472490177066578,
    0.0017677118642428036,
    -0.007800708325034148,
)


def _gate(n: int, p: float, device: torch.device, generator: torch.Generator | None) -> Tensor:
    """True with probability p per sample."""
    return torch.rand(n, device=device, generator=generator) < p


def _matrices(n: int, device: torch.device) -> Tensor:
    return torch.eye(3, device=device).repeat(n, 1, 1)


def rotation(theta: Tensor) -> Tensor:
    """[N, 3, 3] homogeneous rotations by ``theta`` (pixel coordinates, y down)."""
    c, s = torch.cos(theta), torch.sin(theta)
    m = _matrices(theta.shape[0], theta.device)
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    return m


def scaling(sx: Tensor, sy: Tensor) -> Tensor:
    m = _matrices(sx.shape[0], sx.device)
    m[:, 0, 0], m[:, 1, 1] = sx, sy
    return m


def translation(tx: Tensor, ty: Tensor) -> Tensor:
    m = _matrices(tx.shape[0], tx.device)
    m[:, 0, 2], m[:, 1, 2] = tx, ty
    return m


def reflected_shift(image: Tensor, dx: int, dy: int) -> Tensor:
    """Integer translation of a [C, H, W] image by (dx, dy) pixels, the pixels that come in mirrored about
    the edge they enter through (|dx| < W, |dy| < H)."""
    h, w = image.shape[-2:]
    padded = F.pad(image[None], [max(dx, 0), max(-dx, 0), max(dy, 0), max(-dy, 0)], mode="reflect")[0]
    y0, x0 = max(-dy, 0), max(-dx, 0)
    return padded[:, y0 : y0 + h, x0 : x0 + w]


def affine_resample(images: Tensor, g_inv: Tensor, f: Tensor) -> Tensor:
    """Resample [N, C, H, W] ``images`` through ``g_inv`` [N, 3, 3], which maps output to input pixel
    coordinates centred on the image: mirror-pad to cover what the output corners reach (plus the filter's
    support), upsample 2x with the orthogonal low-pass ``f``, sample bilinearly (zeros outside), downsample
    2x with ``f`` flipped and crop back to H x W."""
    n, c, h, w = images.shape
    dev = images.device
    support = f.shape[0] // 4
    cx, cy = (w - 1) / 2, (h - 1) / 2
    corners = torch.tensor([[-cx, cx, cx, -cx], [-cy, -cy, cy, cy], [1.0, 1, 1, 1]], device=dev)
    reach = (g_inv @ corners)[:, :2, :].permute(1, 0, 2).flatten(1)  # [xy, N * corner]
    margin = torch.cat([-reach, reach]).amax(dim=1)  # [x0, y0, x1, y1]
    margin = margin + torch.tensor([2 * support - cx, 2 * support - cy] * 2, device=dev)
    margin = margin.clamp(min=0).minimum(torch.tensor([w - 1.0, h - 1.0] * 2, device=dev))
    mx0, my0, mx1, my1 = (int(v) for v in margin.ceil().tolist())

    x = F.pad(images, [mx0, mx1, my0, my1], mode="reflect")
    g = translation(*torch.tensor([[(mx0 - mx1) / 2], [(my0 - my1) / 2]], device=dev)) @ g_inv
    x = upsample2d(x, f, up=2)
    # In the upsampled image's coordinates: twice the distances, about a centre shifted by half a sample.
    two, half = torch.full((1,), 2.0, device=dev), torch.full((1,), 0.5, device=dev)
    g = scaling(two, two) @ g @ scaling(1 / two, 1 / two)
    g = translation(-half, -half) @ g @ translation(half, half)
    out_h, out_w = (h + 2 * support) * 2, (w + 2 * support) * 2
    in_h, in_w = x.shape[2:]
    g = scaling(torch.full((1,), 2 / in_w, device=dev), torch.full((1,), 2 / in_h, device=dev)) @ g
    g = g @ scaling(torch.full((1,), out_w / 2, device=dev), torch.full((1,), out_h / 2, device=dev))
    grid = F.affine_grid(g[:, :2, :], [n, c, out_h, out_w], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return downsample2d(x, f, down=2, padding=-2 * support, flip_filter=True)


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
        self.register_buffer("wavelet", setup_filter(SYM6), persistent=False)
        self.xflip, self.rotate90, self.xint = xflip, rotate90, xint
        self.scale, self.rotate, self.aniso, self.xfrac = scale, rotate, aniso, xfrac
        self.xint_max, self.scale_std, self.rotate_max = xint_max, scale_std, rotate_max
        self.aniso_std, self.xfrac_std = aniso_std, xfrac_std

    def draw(
        self, n: int, device: torch.device, generator: torch.Generator | None = None
    ) -> dict[str, Tensor]:
        """Per-sample gates (``fired_*``: the transform was chosen, with its probability) and parameters,
        identity where the gate is closed. A fired x-flip or 90-degree rotation may still draw the
        identity (flip with 1/2, k = 0 with 1/4), as in the paper."""
        p = float(self.p)
        d: dict[str, Tensor] = {}

        def gated(name: str, mult: float, prob: float, value: Tensor, identity: float) -> None:
            fired = (
                _gate(n, prob, device, generator)
                if mult > 0
                else torch.zeros(n, dtype=torch.bool, device=device)
            )
            d[f"fired_{name}"] = fired
            mask = fired.view(-1, *([1] * (value.dim() - 1)))
            d[name] = torch.where(mask, value, torch.full_like(value, identity))

        rand = functools.partial(torch.rand, device=device, generator=generator)
        randn = functools.partial(torch.randn, device=device, generator=generator)
        gated("xflip", self.xflip, p * self.xflip, (rand(n) < 0.5).float(), 0)
        gated("rotate90", self.rotate90, p * self.rotate90, torch.floor(rand(n) * 4), 0)
        gated("xint", self.xint, p * self.xint, (rand(n, 2) * 2 - 1) * self.xint_max, 0)
        gated("scale", self.scale, p * self.scale, torch.exp2(randn(n) * self.scale_std), 1)
        # Rotation is drawn twice (before and after anisotropic scaling), each with p_rot such that the
        # probability of any rotation is p: 1 - (1 - p_rot)^2 = p.
        p_rot = 1 - math.sqrt(min(max(1 - p * self.rotate, 0.0), 1.0))
        gated("rotate_pre", self.rotate, p_rot, (rand(n) * 2 - 1) * math.pi * self.rotate_max, 0)
        gated("aniso", self.aniso, p * self.aniso, torch.exp2(randn(n) * self.aniso_std), 1)
        gated("rotate_post", self.rotate, p_rot, (rand(n) * 2 - 1) * math.pi * self.rotate_max, 0)
        gated("xfrac", self.xfrac, p * self.xfrac, randn(n, 2) * self.xfrac_std, 0)
        return d

    def forward(self, images: Tensor, generator: torch.Generator | None = None) -> Tensor:
        if float(self.p) <= 0:
            return images
        n, _, h, w = images.shape
        d = self.draw(n, images.device, generator)
        x = torch.where(d["xflip"].bool()[:, None, None, None], images.flip(3), images)
        if h == w and d["fired_rotate90"].any():
            x = torch.stack(
                [torch.rot90(img, int(k), dims=(1, 2)) for img, k in zip(x, d["rotate90"], strict=True)]
            )
        if d["fired_xint"].any():
            shifts = torch.round(d["xint"] * torch.tensor([w, h], device=x.device)).int().tolist()
            x = torch.stack([reflected_shift(img, dx, dy) for img, (dx, dy) in zip(x, shifts, strict=True)])
        geometric = ("scale", "rotate_pre", "aniso", "rotate_post", "xfrac")
        if not any(d[f"fired_{name}"].any() for name in geometric):
            return x
        # The inverse of scale, rotate, aniso, rotate, translate applied in that order (output -> input).
        g_inv = scaling(1 / d["scale"], 1 / d["scale"]) @ rotation(-d["rotate_pre"])
        g_inv = g_inv @ scaling(1 / d["aniso"], d["aniso"]) @ rotation(-d["rotate_post"])
        g_inv = g_inv @ translation(-d["xfrac"][:, 0] * w, -d["xfrac"][:, 1] * h)
        return affine_resample(x, g_inv, self.wavelet)


def ada_adjustment(sign_real: float, target: float, batch_size: int, interval: int, kimg: float) -> float:
    """The change of p after ``interval`` D steps: ``sign(E[sign(D(x_real))] - target)`` times the rate that
    moves p from 0 to 1 in ``kimg`` thousand real images (Sec. 3, with r_t = E[sign(D_train)])."""
    direction = math.copysign(1.0, sign_real - target) if sign_real != target else 0.0
    return direction * (batch_size * interval) / (kimg * 1000)
