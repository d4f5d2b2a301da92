"""StyleGAN3's alias-free nonlinearity (Karras et al. 2021, Sec. 3.2): upsample, leaky ReLU, low-pass,
downsample, so that the new frequencies the ReLU creates above the output's Nyquist limit are filtered out
instead of aliasing into the image. Also the low-pass filters it uses (Kaiser-windowed sinc, or the jinc of
config R), designed here with torch only.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.nn.equalized import bias_act
from ganzoo.nn.upfirdn2d import Padding, upfirdn2d


def filtered_lrelu(
    x: Tensor,
    fu: Tensor | None = None,
    fd: Tensor | None = None,
    b: Tensor | None = None,
    *,
    up: int = 1,
    down: int = 1,
    padding: Padding = 0,
    gain: float = math.sqrt(2),
    slope: float = 0.2,
    clamp: float | None = None,
) -> Tensor:
    """Add ``b``, upsample by ``up`` with ``fu`` (padding ``padding``), leaky ReLU with ``slope`` times
    ``gain``, clamp, then filter with ``fd`` and keep every ``down``-th sample (NVIDIA's filtered_lrelu)."""
    if b is not None:
        x = bias_act(x, b)
    x = upfirdn2d(x, fu, up=up, padding=padding, gain=up * up)
    x = F.leaky_relu(x, slope)
    if torch.is_grad_enabled():
        x = x * gain if clamp is None or clamp < 0 else (x * gain).clamp(-clamp, clamp)
    else:  # in place on the fresh tensor: at the upsampled size, each intermediate costs a pass of memory
        x = x.mul_(gain) if clamp is None or clamp < 0 else x.mul_(gain).clamp_(-clamp, clamp)
    return upfirdn2d(x, fd, down=down)


def _kaiser_beta(attenuation: float) -> float:
    """Kaiser's empirical window shape for a stopband attenuation in dB."""
    if attenuation > 50:
        return 0.1102 * (attenuation - 8.7)
    if attenuation > 21:
        return 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21)
    return 0.0


def _kaiser_attenuation(numtaps: int, width: float) -> float:
    """Stopband attenuation (dB) of a Kaiser FIR with ``numtaps`` and transition ``width`` (of Nyquist)."""
    return 2.285 * (numtaps - 1) * math.pi * width + 7.95


def lowpass_filter(
    numtaps: int, cutoff: float, width: float, fs: float, radial: bool = False
) -> Tensor | None:
    """The low-pass filter of a StyleGAN3 layer; ``None`` for a single tap (no filtering).

    Separable: a Kaiser-windowed sinc with unit DC gain (``scipy.signal.firwin(numtaps, cutoff, width=width,
    fs=fs)``). Radial (config R): a jinc windowed by the outer product of two Kaiser windows, normalised to
    sum to one.
    """
    if numtaps < 1:
        raise ValueError(f"a filter has at least one tap, got numtaps={numtaps}")
    if numtaps == 1:
        return None
    nyquist = fs / 2
    beta = _kaiser_beta(_kaiser_attenuation(numtaps, width / nyquist))
    window = torch.kaiser_window(numtaps, periodic=False, beta=beta, dtype=torch.float64)
    if not radial:
        m = torch.arange(numtaps, dtype=torch.float64) - (numtaps - 1) / 2
        h = (cutoff / nyquist) * torch.sinc((cutoff / nyquist) * m) * window
        return (h / h.sum()).float()
    t = (torch.arange(numtaps, dtype=torch.float64) - (numtaps - 1) / 2) / fs
    r = torch.hypot(t[None, :], t[:, None])
    jinc = torch.special.bessel_j1(2 * cutoff * (math.pi * r)) / (math.pi * r)
    f = torch.where(r > 0, jinc, torch.full_like(r, cutoff))  # its limit at the centre (odd numtaps)
    f = f * torch.outer(window, window)
    return (f / f.sum()).float()
