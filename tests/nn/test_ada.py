"""ADA's pipe: mirrored integer translation, the wavelet-filtered affine resampling, and each transform firing
with its probability."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganzoo.nn.ada import SYM6, AugmentPipe, affine_resample, rotation
from ganzoo.nn.upfirdn2d import setup_filter

ONLY = dict(xflip=0, rotate90=0, xint=0, scale=0, rotate=0, aniso=0, xfrac=0)


def _band_limited(n: int, c: int, size: int, max_freq: float, seed: int = 0) -> torch.Tensor:
    """Sums of separable cosines below ``max_freq`` cycles per pixel, scaled to peak amplitude 1."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    img = torch.zeros(n, c, size, size)
    for i in range(n):
        for j in range(c):
            for _ in range(3):
                fx, fy = (torch.rand(2, generator=g) * max_freq).tolist()
                px, py = (torch.rand(2, generator=g) * 2 * math.pi).tolist()
                img[i, j] += torch.cos(2 * math.pi * fx * xx + px) * torch.cos(2 * math.pi * fy * yy + py)
    return img / img.abs().amax(dim=(2, 3), keepdim=True)


def test_sym6_is_an_orthonormal_low_pass():
    h = np.asarray(SYM6)
    assert h.sum() == pytest.approx(math.sqrt(2), abs=1e-12)
    for shift in range(0, 6):
        assert np.dot(h[: len(h) - 2 * shift], h[2 * shift :]) == pytest.approx(float(shift == 0), abs=1e-12)


def test_p_zero_is_the_identity():
    x = torch.randn(4, 3, 16, 16)
    assert torch.equal(AugmentPipe()(x), x)


def test_integer_translation_mirrors_the_incoming_pixels():
    pipe = AugmentPipe(**{**ONLY, "xint": 1})
    pipe.p.fill_(1.0)
    x = torch.randn(16, 2, 16, 12)
    out = pipe(x, torch.Generator().manual_seed(3))
    shifts = pipe.draw(16, x.device, torch.Generator().manual_seed(3))["xint"]
    assert (shifts != 0).all()
    for img, res, (tx, ty) in zip(x.numpy(), out.numpy(), shifts.tolist(), strict=True):
        dx, dy = round(tx * 12), round(ty * 16)
        # numpy's "reflect" mirrors about the edge pixel without repeating it, as NVIDIA's pad does.
        pad = 4
        padded = np.pad(img, [(0, 0), (pad, pad), (pad, pad)], mode="reflect")
        ref = padded[:, pad - dy : pad - dy + 16, pad - dx : pad - dx + 12]
        np.testing.assert_array_equal(res, ref)


def test_affine_resampling_with_the_identity_returns_the_image():
    x = _band_limited(2, 3, 24, 0.2)
    out = affine_resample(x, torch.eye(3).repeat(2, 1, 1), setup_filter(SYM6))
    assert out.shape == x.shape
    torch.testing.assert_close(out, x, atol=1e-5, rtol=0)


def test_a_quarter_turn_through_the_affine_resampling_matches_rot90():
    x = _band_limited(2, 3, 32, 0.1)
    out = affine_resample(x, rotation(torch.full((2,), math.pi / 2)), setup_filter(SYM6))
    # The upsampled grid turns about a centre a quarter pixel off the samples, so bilinear sampling costs a
    # little: under 8% of the peak amplitude for content below 0.1 cycles per pixel
    # (4.9% measured here).
    assert (out - torch.rot90(x, 1, dims=(2, 3))).abs().max() < 0.08


def test_geometric_transforms_of_a_constant_image_stay_constant():
    """The mirrored margin covers every transformed corner: no zeros from outside come in."""
    pipe = AugmentPipe(**{**ONLY, "scale": 1, "rotate": 1, "aniso": 1, "xfrac": 1})
    pipe.p.fill_(1.0)
    x = torch.full((8, 1, 16, 16), 0.7)
    out = pipe(x, torch.Generator().manual_seed(0))
    torch.testing.assert_close(out, x, atol=1e-5, rtol=0)


def test_each_transform_fires_with_its_probability():
    pipe = AugmentPipe()
    p, n = 0.3, 200_000
    pipe.p.fill_(p)
    d = pipe.draw(n, torch.device("cpu"), torch.Generator().manual_seed(0))
    tol = 4.5 * math.sqrt(p * (1 - p) / n)
    for name in ("xflip", "rotate90", "xint", "scale", "aniso", "xfrac"):
        assert float(d[f"fired_{name}"].float().mean()) == pytest.approx(p, abs=tol), name
    p_rot = 1 - math.sqrt(1 - p)
    any_rotation = d["fired_rotate_pre"] | d["fired_rotate_post"]
    assert float(d["fired_rotate_pre"].float().mean()) == pytest.approx(p_rot, abs=tol)
    assert float(any_rotation.float().mean()) == pytest.approx(p, abs=tol)
    # A fired flip flips half of the time, a fired quarter-turn picks k in {0, 1, 2, 3} uniformly.
    assert float(d["xflip"][d["fired_xflip"]].mean()) == pytest.approx(0.5, abs=0.01)
    counts = torch.bincount(d["rotate90"][d["fired_rotate90"]].long(), minlength=4).float()
    torch.testing.assert_close(counts / counts.sum(), torch.full((4,), 0.25), atol=0.01, rtol=0)
    # Closed gates leave the identity.
    assert (d["scale"][~d["fired_scale"]] == 1).all() and (d["xint"][~d["fired_xint"]] == 0).all()
