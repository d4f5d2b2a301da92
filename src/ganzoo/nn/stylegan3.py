"""StyleGAN3's alias-free generator (Karras et al. 2021): Fourier-feature input, then layers whose
cutoff, stopband and sampling rate follow a geometric schedule, each a modulated convolution followed by
the filtered leaky ReLU. Config T uses separable Kaiser filters, config R radial ones and 1x1 convolutions.

Names are those of NVIDIA's ``training/networks_stylegan3.py`` (``input``, ``L{i}_{size}_{channels}``), so
a published state dict loads without renaming.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.equalized import EqualizedLinear
from ganzoo.nn.filtered_lrelu import filtered_lrelu, lowpass_filter
from ganzoo.nn.mapping import MappingNetwork
from ganzoo.nn.modulated_conv import modulated_conv2d


def _pair(size: int | Sequence[int]) -> tuple[int, int]:
    """(width, height) from an int or a pair."""
    if isinstance(size, int):
        return size, size
    width, height = size
    return int(width), int(height)


class SynthesisInput(nn.Module):
    """Fourier features: ``channels`` sinusoids of random frequency (inside a disc of radius ``bandwidth``)
    and phase, sampled on a ``size`` grid at ``sampling_rate``, rotated and translated per sample by an
    affine map of w, then mixed by a learned matrix. ``transform`` is a user-set 3x3 inverse transform of
    the output image (identity by default), e.g. to translate or rotate a sample after the fact."""

    def __init__(
        self, w_dim: int, channels: int, size: int | Sequence[int], sampling_rate: float, bandwidth: float
    ) -> None:
        super().__init__()
        self.w_dim, self.channels = w_dim, channels
        self.size = _pair(size)
        self.sampling_rate, self.bandwidth = float(sampling_rate), float(bandwidth)
        freqs = torch.randn(channels, 2)
        radii = freqs.square().sum(dim=1, keepdim=True).sqrt()
        freqs = freqs / (radii * radii.square().exp().pow(0.25)) * bandwidth
        phases = torch.rand(channels) - 0.5
        self.weight = nn.Parameter(torch.randn(channels, channels))
        self.affine = EqualizedLinear(w_dim, 4, weight_init=0.0, bias_init=torch.tensor([1.0, 0.0, 0.0, 0.0]))
        self.register_buffer("transform", torch.eye(3, 3))
        self.register_buffer("freqs", freqs)
        self.register_buffer("phases", phases)

    def forward(self, w: Tensor) -> Tensor:
        n = w.shape[0]
        # The affine output (r_c, r_s, t_x, t_y) normalised to a pure rotation and a translation.
        t = self.affine(w)
        t = t / t[:, :2].norm(dim=1, keepdim=True)
        m_r = torch.eye(3, device=w.device).repeat(n, 1, 1)
        m_r[:, 0, 0], m_r[:, 0, 1], m_r[:, 1, 0], m_r[:, 1, 1] = t[:, 0], -t[:, 1], t[:, 1], t[:, 0]
        m_t = torch.eye(3, device=w.device).repeat(n, 1, 1)
        m_t[:, 0, 2], m_t[:, 1, 2] = -t[:, 2], -t[:, 3]
        transforms = m_r @ m_t @ self.transform.unsqueeze(0)
        phases = self.phases.unsqueeze(0) + (self.freqs.unsqueeze(0) @ transforms[:, :2, 2:]).squeeze(2)
        freqs = self.freqs.unsqueeze(0) @ transforms[:, :2, :2]
        # Frequencies a user transform pushes out of band are faded out rather than aliased.
        amplitudes = (
            1 - (freqs.norm(dim=2) - self.bandwidth) / (self.sampling_rate / 2 - self.bandwidth)
        ).clamp(0, 1)
        width, height = self.size
        theta = torch.eye(2, 3, device=w.device)
        theta[0, 0] = 0.5 * width / self.sampling_rate
        theta[1, 1] = 0.5 * height / self.sampling_rate
        grids = F.affine_grid(theta.unsqueeze(0), [1, 1, height, width], align_corners=False)
        x = (grids.unsqueeze(3) @ freqs.permute(0, 2, 1).unsqueeze(1).unsqueeze(2)).squeeze(3)
        x = torch.sin((x + phases.unsqueeze(1).unsqueeze(2)) * (2 * math.pi)) * amplitudes.unsqueeze(
            1
        ).unsqueeze(2)
        x = x @ (self.weight / math.sqrt(self.channels)).t()
        return x.permute(0, 3, 1, 2)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, size={list(self.size)}, sampling_rate={self.sampling_rate:g}"


class SynthesisLayer(nn.Module):
    """Modulated conv (demodulated and scaled by the tracked input magnitude, except for ToRGB), then the
    filtered leaky ReLU from ``in_size`` at ``in_sampling_rate`` to ``out_size`` at ``out_sampling_rate``
    through a temporary rate ``lrelu_upsampling`` times higher.

    ``magnitude_ema`` is the running mean square of the input, whose inverse square root normalises it.
    """

    def __init__(
        self,
        w_dim: int,
        is_torgb: bool,
        is_critically_sampled: bool,
        in_channels: int,
        out_channels: int,
        in_size: int | Sequence[int],
        out_size: int | Sequence[int],
        in_sampling_rate: float,
        out_sampling_rate: float,
        in_cutoff: float,
        out_cutoff: float,
        in_half_width: float,
        out_half_width: float,
        *,
        conv_kernel: int = 3,
        filter_size: int = 6,
        lrelu_upsampling: int = 2,
        use_radial_filters: bool = False,
        conv_clamp: float | None = 256,
        magnitude_ema_beta: float = 0.999,
    ) -> None:
        super().__init__()
        self.w_dim, self.is_torgb, self.is_critically_sampled = w_dim, is_torgb, is_critically_sampled
        self.in_channels, self.out_channels = in_channels, out_channels
        self.in_size, self.out_size = _pair(in_size), _pair(out_size)
        self.in_sampling_rate, self.out_sampling_rate = in_sampling_rate, out_sampling_rate
        self.tmp_sampling_rate = max(in_sampling_rate, out_sampling_rate) * (
            1 if is_torgb else lrelu_upsampling
        )
        self.in_cutoff, self.out_cutoff = in_cutoff, out_cutoff
        self.in_half_width, self.out_half_width = in_half_width, out_half_width
        self.conv_kernel = 1 if is_torgb else conv_kernel
        self.conv_clamp, self.magnitude_ema_beta = conv_clamp, magnitude_ema_beta

        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, self.conv_kernel, self.conv_kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.register_buffer("magnitude_ema", torch.ones(()))

        self.up_factor = round(self.tmp_sampling_rate / in_sampling_rate)
        self.up_taps = filter_size * self.up_factor if self.up_factor > 1 and not is_torgb else 1
        self.register_buffer(
            "up_filter", lowpass_filter(self.up_taps, in_cutoff, in_half_width * 2, self.tmp_sampling_rate)
        )
        self.down_factor = round(self.tmp_sampling_rate / out_sampling_rate)
        self.down_taps = filter_size * self.down_factor if self.down_factor > 1 and not is_torgb else 1
        self.down_radial = use_radial_filters and not is_critically_sampled
        self.register_buffer(
            "down_filter",
            lowpass_filter(
                self.down_taps,
                out_cutoff,
                out_half_width * 2,
                self.tmp_sampling_rate,
                radial=self.down_radial,
            ),
        )
        # Padding that maps the input grid onto the output grid, sample centres aligned (App. C.3).
        pads = []
        for i in range(2):
            total = (self.out_size[i] - 1) * self.down_factor + 1
            total -= (self.in_size[i] + self.conv_kernel - 1) * self.up_factor
            total += self.up_taps + self.down_taps - 2
            lo = (total + self.up_factor) // 2
            pads += [lo, total - lo]
        self.padding = pads

    def forward(self, x: Tensor, w: Tensor, update_emas: bool = False) -> Tensor:
        if update_emas:
            magnitude = x.detach().float().square().mean()
            self.magnitude_ema.copy_(magnitude.lerp(self.magnitude_ema, self.magnitude_ema_beta))
        styles = self.affine(w)
        if self.is_torgb:
            styles = styles * (1 / math.sqrt(self.in_channels * self.conv_kernel**2))
        x = modulated_conv2d(
            x,
            self.weight,
            styles,
            padding=self.conv_kernel - 1,
            demodulate=not self.is_torgb,
            input_gain=self.magnitude_ema.rsqrt(),
            prenormalize=True,
        )
        return filtered_lrelu(
            x,
            self.up_filter,
            self.down_filter,
            self.bias.to(x.dtype),
            up=self.up_factor,
            down=self.down_factor,
            padding=self.padding,
            gain=1.0 if self.is_torgb else math.sqrt(2),
            slope=1.0 if self.is_torgb else 0.2,
            clamp=self.conv_clamp,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, in_size={list(self.in_size)}, "
            f"out_size={list(self.out_size)}, up={self.up_factor}, down={self.down_factor}"
        )


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the schedule (Sec. 3.3 and App. F.2 of the paper)."""

    channels: int
    size: int
    sampling_rate: int
    cutoff: float
    half_width: float


def layer_schedule(
    img_resolution: int,
    img_channels: int,
    *,
    channel_base: int = 32768,
    channel_max: int = 512,
    num_layers: int = 14,
    num_critical: int = 2,
    first_cutoff: float = 2,
    first_stopband: float = 2**2.1,
    last_stopband_rel: float = 2**0.3,
    margin_size: int = 10,
) -> list[LayerSpec]:
    """The input and the ``num_layers + 1`` layers: cutoffs f_c and minimum stopbands f_t rise
    geometrically from the first layer to the last ``num_critical`` (critically sampled) layers; the
    sampling rate is the smallest power of two >= 2 f_t (at most the image resolution), the transition
    half-width f_h = max(f_t, s / 2) - f_c, and each layer computes ``margin_size`` extra pixels per side."""
    last_cutoff = img_resolution / 2
    last_stopband = last_cutoff * last_stopband_rel
    specs = []
    for i in range(num_layers + 1):
        e = min(i / (num_layers - num_critical), 1.0)
        cutoff = first_cutoff * (last_cutoff / first_cutoff) ** e
        stopband = first_stopband * (last_stopband / first_stopband) ** e
        rate = 2 ** math.ceil(math.log2(min(stopband * 2, img_resolution)))
        half_width = max(stopband, rate / 2) - cutoff
        size = img_resolution if i >= num_layers - 1 else rate + margin_size * 2
        channels = img_channels if i == num_layers else round(min((channel_base / 2) / cutoff, channel_max))
        specs.append(LayerSpec(int(channels), int(size), int(rate), cutoff, half_width))
    return specs


class SynthesisNetwork(nn.Module):
    """ws [N, num_layers + 2, w_dim] -> image: ``input`` reads ws[:, 0], layer i reads ws[:, i + 1]; the
    output is scaled by ``output_scale``.

    Args:
        w_dim, img_resolution, img_channels: sizes.
        channel_base, channel_max, num_layers, num_critical, first_cutoff, first_stopband,
            last_stopband_rel, margin_size: the schedule (``layer_schedule``).
        output_scale: factor on the final image (0.25).
        **layer_kwargs: ``SynthesisLayer`` arguments (``conv_kernel``, ``use_radial_filters`` ...).
    """

    def __init__(
        self,
        w_dim: int,
        img_resolution: int,
        img_channels: int,
        *,
        channel_base: int = 32768,
        channel_max: int = 512,
        num_layers: int = 14,
        num_critical: int = 2,
        first_cutoff: float = 2,
        first_stopband: float = 2**2.1,
        last_stopband_rel: float = 2**0.3,
        margin_size: int = 10,
        output_scale: float = 0.25,
        **layer_kwargs: object,
    ) -> None:
        super().__init__()
        self.w_dim, self.img_resolution, self.img_channels = w_dim, img_resolution, img_channels
        self.num_ws = num_layers + 2
        self.num_layers, self.num_critical, self.output_scale = num_layers, num_critical, output_scale
        specs = layer_schedule(
            img_resolution,
            img_channels,
            channel_base=channel_base,
            channel_max=channel_max,
            num_layers=num_layers,
            num_critical=num_critical,
            first_cutoff=first_cutoff,
            first_stopband=first_stopband,
            last_stopband_rel=last_stopband_rel,
            margin_size=margin_size,
        )
        first = specs[0]
        self.input = SynthesisInput(w_dim, first.channels, first.size, first.sampling_rate, first.cutoff)
        self.layer_names: list[str] = []
        for idx, spec in enumerate(specs):
            prev = specs[max(idx - 1, 0)]
            layer = SynthesisLayer(
                w_dim,
                is_torgb=idx == num_layers,
                is_critically_sampled=idx >= num_layers - num_critical,
                in_channels=prev.channels,
                out_channels=spec.channels,
                in_size=prev.size,
                out_size=spec.size,
                in_sampling_rate=prev.sampling_rate,
                out_sampling_rate=spec.sampling_rate,
                in_cutoff=prev.cutoff,
                out_cutoff=spec.cutoff,
                in_half_width=prev.half_width,
                out_half_width=spec.half_width,
                **layer_kwargs,
            )
            name = f"L{idx}_{spec.size}_{spec.channels}"
            setattr(self, name, layer)
            self.layer_names.append(name)

    def forward(self, ws: Tensor, noise_mode: str = "const", update_emas: bool = False) -> Tensor:
        """``noise_mode`` is accepted for the StyleGAN2 interface; StyleGAN3 has no noise inputs."""
        if ws.dim() != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(f"ws must have shape [N, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}")
        ws = ws.float().unbind(dim=1)
        x = self.input(ws[0])
        for name, w in zip(self.layer_names, ws[1:], strict=True):
            x = getattr(self, name)(x, w, update_emas=update_emas)
        return x * self.output_scale if self.output_scale != 1 else x


class StyleGAN3Generator(nn.Module):
    """``mapping`` (2 layers by default) followed by the alias-free ``synthesis``: NVIDIA's ``Generator``."""

    def __init__(
        self,
        z_dim: int,
        c_dim: int,
        w_dim: int,
        img_resolution: int,
        img_channels: int,
        mapping_kwargs: dict | None = None,
        **synthesis_kwargs: object,
    ) -> None:
        super().__init__()
        self.z_dim, self.c_dim, self.w_dim = z_dim, c_dim, w_dim
        self.img_resolution, self.img_channels = img_resolution, img_channels
        self.synthesis = SynthesisNetwork(w_dim, img_resolution, img_channels, **synthesis_kwargs)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(
            z_dim, c_dim, w_dim, self.num_ws, **{"num_layers": 2, **(mapping_kwargs or {})}
        )

    def forward(
        self,
        z: Tensor,
        c: Tensor | None = None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        update_emas: bool = False,
        **synthesis_kwargs: object,
    ) -> Tensor:
        ws = self.mapping(z, c, truncation_psi, truncation_cutoff, update_emas)
        return self.synthesis(ws, update_emas=update_emas, **synthesis_kwargs)
