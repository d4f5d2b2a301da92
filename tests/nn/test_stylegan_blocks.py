"""The StyleGAN blocks against their definitions: FIR resampling, modulated convolution, the mapping
network's truncation, StyleGAN3's filters (against scipy) and its filtered leaky ReLU."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import ganzoo.nn.upfirdn2d as fir
from ganzoo.nn.filtered_lrelu import filtered_lrelu, lowpass_filter
from ganzoo.nn.mapping import MappingNetwork
from ganzoo.nn.modulated_conv import modulated_conv2d
from ganzoo.nn.upfirdn2d import conv2d_resample, downsample2d, setup_filter, upfirdn2d, upsample2d


def test_setup_filter_is_the_normalised_outer_product() -> None:
    f = setup_filter([1, 3, 3, 1])
    expected = torch.tensor([1.0, 3, 3, 1]).outer(torch.tensor([1.0, 3, 3, 1])) / 64
    torch.testing.assert_close(f, expected)
    assert setup_filter([1.0] * 8).dim() == 1  # long filters stay separable
    torch.testing.assert_close(setup_filter([1, 1], gain=4).sum(), torch.tensor(4.0))


def _upfirdn_by_loops(
    x: torch.Tensor, f: torch.Tensor, up: int, down: int, pad: tuple[int, int]
) -> torch.Tensor:
    """1-D upfirdn on the last axis: zero insertion, padding, true convolution, decimation."""
    n = x.shape[-1]
    u = torch.zeros(*x.shape[:-1], n * up)
    u[..., ::up] = x
    u = F.pad(u, list(pad))
    k = f.numel()
    out = torch.stack([(u[..., i : i + k] * f.flip(0)).sum(-1) for i in range(u.shape[-1] - k + 1)], -1)
    return out[..., ::down]


def test_upfirdn2d_matches_its_definition_on_each_axis() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 3, 1, 7)
    f = torch.randn(5)
    got = upfirdn2d(x, torch.outer(torch.ones(1), f), up=(2, 1), down=(3, 1), padding=[3, 1, 0, 0])
    torch.testing.assert_close(got, _upfirdn_by_loops(x, f, 2, 3, (3, 1)))


def test_up_and_downsampling_keep_a_constant_image_constant() -> None:
    f = setup_filter([1, 3, 3, 1])
    x = torch.full((1, 2, 8, 8), 0.7)
    up = upsample2d(x, f)
    assert up.shape[-2:] == (16, 16)
    torch.testing.assert_close(up[..., 2:-2, 2:-2], torch.full_like(up[..., 2:-2, 2:-2], 0.7))
    down = downsample2d(x, f)
    assert down.shape[-2:] == (4, 4)
    torch.testing.assert_close(down[..., 1:-1, 1:-1], torch.full((1, 2, 2, 2), 0.7))


@pytest.mark.parametrize(("up", "down", "k"), [(2, 1, 3), (1, 2, 3), (1, 2, 1), (2, 1, 1), (1, 1, 3)])
def test_conv2d_resample_equals_resampling_and_convolving_separately(up: int, down: int, k: int) -> None:
    """The fused fast paths against the plain composition (upsample, then a true convolution; or
    convolve, then filter and decimate); the two orders differ only in how borders are zero-extended."""
    torch.manual_seed(up * 10 + down + k)
    x, w = torch.randn(2, 4, 24, 24), torch.randn(5, 4, k, k)
    f = setup_filter([1, 3, 3, 1])
    got = conv2d_resample(x, w, f, up=up, down=down, padding=k // 2, flip_weight=up == 1)
    if up > 1:
        ref = F.conv2d(upsample2d(x, f, up=up), w.flip([2, 3]), padding=k // 2)
    else:
        ref = F.conv2d(x, w, padding=k // 2)
        ref = downsample2d(ref, f, down=down) if down > 1 else ref
    assert got.shape == ref.shape
    inner = (..., slice(4, -4), slice(4, -4))
    torch.testing.assert_close(got[inner], ref[inner], atol=1e-4, rtol=1e-4)


def test_modulated_conv_is_a_per_sample_demodulated_convolution() -> None:
    torch.manual_seed(0)
    x, weight, styles = torch.randn(3, 4, 6, 6), torch.randn(5, 4, 3, 3), torch.randn(3, 4)
    reference = []
    for i in range(3):
        wi = weight * styles[i].view(1, -1, 1, 1)
        wi = wi / (wi.square().sum(dim=[1, 2, 3], keepdim=True) + 1e-8).sqrt()
        reference.append(F.conv2d(x[i : i + 1], wi, padding=1))
    reference = torch.cat(reference)
    for fused in (True, False):
        got = modulated_conv2d(x, weight, styles, padding=1, fused_modconv=fused)
        torch.testing.assert_close(got, reference, atol=1e-5, rtol=1e-4)
    # Demodulation makes the output invariant to the scale of the styles.
    torch.testing.assert_close(
        modulated_conv2d(x, weight, styles * 7, padding=1), reference, atol=1e-5, rtol=1e-4
    )


@pytest.mark.parametrize("up", [1, 2])
@pytest.mark.parametrize("n", [1, 3])
def test_the_inference_form_computes_the_same_modulated_convolution(up: int, n: int) -> None:
    """Every form without autograd (fused, activation-scaled, ``"cheapest"`` with precomputed weight norms)
    against the fused reference with autograd, at a size where one image modulates the weights (few
    channels, many pixels) and one where it modulates activations; the inputs stay as they were."""
    f = setup_filter([1, 3, 3, 1])
    for channels, size in ((4, 24), (32, 2)):
        torch.manual_seed(channels + n + up)
        x, weight = torch.randn(n, channels, size, size), torch.randn(6, channels, 3, 3)
        styles, noise = torch.randn(n, channels), torch.randn(size * up, size * up)
        kwargs = {"up": up, "padding": 1, "resample_filter": f, "flip_weight": up == 1, "noise": noise}
        reference = modulated_conv2d(x, weight, styles, fused_modconv=True, **kwargs)
        kept = x.clone(), noise.clone()
        for fused in (True, False, "cheapest"):
            with torch.no_grad():  # demodulation and noise then work in place on the convolution's output
                got = modulated_conv2d(
                    x, weight, styles, fused_modconv=fused, weight_sq=weight.square().sum([2, 3]), **kwargs
                )
            torch.testing.assert_close(got, reference, atol=1e-5, rtol=1e-4)
        assert torch.equal(x, kept[0]) and torch.equal(noise, kept[1])


def test_upfirdn2d_with_equal_padding_matches_its_definition() -> None:
    """Equal padding on both sides goes to the convolution itself; the result is the definition's."""
    torch.manual_seed(1)
    x, f = torch.randn(2, 3, 1, 9), torch.randn(4)
    got = upfirdn2d(x, torch.outer(torch.ones(1), f), up=(2, 1), padding=[2, 2, 0, 0])
    torch.testing.assert_close(got, _upfirdn_by_loops(x, f, 2, 1, (2, 2)))
    separable = setup_filter(torch.randn(8), normalize=False, separable=True)
    x = torch.randn(1, 2, 10, 10)
    ref = upfirdn2d(F.pad(x, [3, 3, 3, 3]), separable)
    torch.testing.assert_close(upfirdn2d(x, separable, padding=3), ref)


@pytest.mark.parametrize("up", [1, 2])
def test_the_in_cache_path_gives_the_convolutions_result(up: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large CPU tensors without autograd are filtered by shifted multiply-adds on a few channels at a
    time; forced here on small ones (one image plane per group), with uneven paddings, a crop, a flipped
    asymmetric filter and a long separable one, they give what the depthwise convolution gives."""
    torch.manual_seed(up)
    x = torch.randn(2, 3, 9, 11)
    cases = [
        (setup_filter([1, 3, 3, 1]), {"padding": [2, 1, 1, 2], "gain": up * up}),
        (torch.outer(torch.tensor([1.0, 2, 5]), torch.tensor([3.0, -1, 2, 4])), {"padding": [-1, 2, 3, 0]}),
        (torch.outer(torch.tensor([1.0, 2, 5]), torch.tensor([3.0, -1, 2])), {"flip_filter": True}),
        (setup_filter(torch.rand(8) + 0.5, separable=True), {"padding": 4}),
    ]
    expected = [upfirdn2d(x, f, up=up, **kw) for f, kw in cases]
    monkeypatch.setattr(fir, "_IN_CACHE_MIN_NUMEL", 0)
    monkeypatch.setattr(fir, "_IN_CACHE_CHUNK_NUMEL", 1)
    with torch.no_grad():
        for (f, kw), ref in zip(cases, expected, strict=True):
            torch.testing.assert_close(upfirdn2d(x, f, up=up, **kw), ref, atol=1e-5, rtol=1e-5)
    assert fir._separable_taps(torch.tensor([[1.0, 2], [3, 1]])) is None  # not an outer product


def test_a_pointwise_convolution_to_rgb_is_the_convolution() -> None:
    """ToRGB's 1x1 convolution to 3 channels runs as a matrix product on a CPU; same values."""
    torch.manual_seed(0)
    x, w = torch.randn(2, 16, 5, 7), torch.randn(3, 16, 1, 1)
    got = conv2d_resample(x, w)
    torch.testing.assert_close(got, F.conv2d(x, w), atol=1e-5, rtol=1e-5)


def test_truncation_moves_w_towards_w_avg_on_the_chosen_layers() -> None:
    torch.manual_seed(0)
    mapping = MappingNetwork(8, 0, 6, num_ws=5, num_layers=2)
    mapping.w_avg.normal_()
    z = torch.randn(3, 8)
    w = mapping(z)
    assert w.shape == (3, 5, 6) and torch.equal(w[:, 0], w[:, 4])
    half = mapping(z, truncation_psi=0.5, truncation_cutoff=2)
    torch.testing.assert_close(half[:, :2], mapping.w_avg + 0.5 * (w[:, :2] - mapping.w_avg))
    torch.testing.assert_close(half[:, 2:], w[:, 2:])
    torch.testing.assert_close(mapping(z, truncation_psi=0.0), mapping.w_avg.expand(3, 5, 6))


def test_w_avg_tracks_the_mean_w_with_its_decay() -> None:
    mapping = MappingNetwork(4, 0, 4, num_ws=2, num_layers=1, w_avg_beta=0.9)
    z = torch.randn(16, 4)
    w = mapping(z, update_emas=True)[:, 0]
    torch.testing.assert_close(mapping.w_avg, 0.1 * w.mean(0), atol=1e-6, rtol=1e-5)


def test_a_conditional_mapping_refuses_a_missing_class_naming_the_shape() -> None:
    mapping = MappingNetwork(4, 10, 4, num_ws=2, num_layers=1)
    with pytest.raises(ValueError, match=r"class-conditional: c must have shape \[N, 10\]"):
        mapping(torch.randn(2, 4))


@pytest.mark.parametrize(
    ("numtaps", "cutoff", "width", "fs"), [(12, 2.0, 12.0, 32), (24, 4.0, 8.0, 64), (13, 5.0, 3.0, 20)]
)
def test_lowpass_filters_match_scipy(numtaps: int, cutoff: float, width: float, fs: float) -> None:
    signal = pytest.importorskip("scipy.signal")
    special = pytest.importorskip("scipy.special")
    expected = signal.firwin(numtaps=numtaps, cutoff=cutoff, width=width, fs=fs)
    torch.testing.assert_close(lowpass_filter(numtaps, cutoff, width, fs), torch.as_tensor(expected).float())
    if numtaps % 2 == 0:  # the radial filter of config R, as the authors write it
        import numpy as np

        t = (np.arange(numtaps) - (numtaps - 1) / 2) / fs
        r = np.hypot(*np.meshgrid(t, t))
        f = special.j1(2 * cutoff * (np.pi * r)) / (np.pi * r)
        beta = signal.kaiser_beta(signal.kaiser_atten(numtaps, width / (fs / 2)))
        f *= np.outer(np.kaiser(numtaps, beta), np.kaiser(numtaps, beta))
        radial = lowpass_filter(numtaps, cutoff, width, fs, radial=True)
        torch.testing.assert_close(radial, torch.as_tensor(f / f.sum()).float())
    assert lowpass_filter(1, cutoff, width, fs) is None


def test_filtered_lrelu_is_upsample_activate_downsample() -> None:
    torch.manual_seed(0)
    x, b = torch.randn(2, 3, 10, 10), torch.randn(3)
    fu, fd = lowpass_filter(12, 4.0, 8.0, 32), lowpass_filter(12, 4.0, 8.0, 32)
    got = filtered_lrelu(
        x, fu, fd, b, up=2, down=2, padding=[5, 5, 5, 5], gain=math.sqrt(2), slope=0.2, clamp=0.5
    )
    y = upfirdn2d(x + b.view(1, -1, 1, 1), fu, up=2, padding=5, gain=4)
    y = (F.leaky_relu(y, 0.2) * math.sqrt(2)).clamp(-0.5, 0.5)
    torch.testing.assert_close(got, upfirdn2d(y, fd, down=2))
    assert got.shape == (2, 3, 4, 4)  # (10 * 2 + 10 - 11 - 11 + 1) // 2
