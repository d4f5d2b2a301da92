"""Equalized learning rate (Karras et al. 2018, Sec. 4.1) and the layers that came with it.

Weights are stored as N(0, 1) / ``lr_multiplier`` and scaled at run time by ``gain * lr_multiplier /
sqrt(fan_in)``, so every weight sees the same effective learning rate under Adam whatever its fan-in, and a
small ``lr_multiplier`` (StyleGAN's mapping network, 0.01) slows a layer down. Parameter names and the run
time scaling follow NVIDIA's ``FullyConnectedLayer`` / ``Conv2dLayer``, so their state dicts load as is.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# name -> (function, the gain that keeps the output variance near one, as NVIDIA's bias_act defines it)
ACTIVATIONS: dict[str, tuple[Callable[[Tensor], Tensor], float]] = {
    "linear": (lambda x: x, 1.0),
    "relu": (F.relu, math.sqrt(2)),
    "lrelu": (lambda x: F.leaky_relu(x, 0.2), math.sqrt(2)),
    "tanh": (torch.tanh, 1.0),
    "sigmoid": (torch.sigmoid, 1.0),
}


def bias_act(
    x: Tensor,
    b: Tensor | None = None,
    *,
    dim: int = 1,
    activation: str = "linear",
    gain: float | None = None,
    clamp: float | None = None,
) -> Tensor:
    """``clamp(act(x + b) * gain, -clamp, clamp)`` with ``b`` broadcast along ``dim``; ``gain`` defaults to
    the activation's own (sqrt(2) for (leaky) ReLU). NVIDIA's ``bias_act``, in PyTorch."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    fn, default_gain = ACTIVATIONS[activation]
    if b is not None:
        shape = [1] * x.dim()
        shape[dim] = -1
        x = x + b.reshape(shape)
    x = fn(x)
    gain = default_gain if gain is None else gain
    # Without autograd the steps after the first work in place on the fresh tensor it made: at 256 px and
    # above, allocating each intermediate costs as much as computing it.
    in_place = not torch.is_grad_enabled() and (b is not None or activation != "linear")
    if gain != 1:
        x = x.mul_(gain) if in_place else x * gain
    if clamp is not None and clamp >= 0:
        x = x.clamp_(-clamp, clamp) if in_place else x.clamp(-clamp, clamp)
    return x


class EqualizedLinear(nn.Module):
    """A fully connected layer with equalized learning rate (NVIDIA's ``FullyConnectedLayer``).

    Args:
        in_features, out_features: sizes.
        bias: learn a bias.
        activation: one of ``ACTIVATIONS``; its gain is applied after it.
        lr_multiplier: scales this layer's effective learning rate (weights and bias).
        weight_init: standard deviation of the effective initial weights, in units of 1/sqrt(fan_in).
        bias_init: the effective initial bias (a number or one value per feature).
        gain: an extra factor on the run-time weight scale (ProGAN's He constant sqrt(2) is ``gain``).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        bias: bool = True,
        activation: str = "linear",
        lr_multiplier: float = 1.0,
        weight_init: float = 1.0,
        bias_init: float | Tensor = 0.0,
        gain: float = 1.0,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        self.in_features, self.out_features = in_features, out_features
        self.activation = activation
        self.weight = nn.Parameter(torch.randn(out_features, in_features) * (weight_init / lr_multiplier))
        if bias:
            init = torch.broadcast_to(torch.as_tensor(bias_init, dtype=torch.float32), (out_features,))
            self.bias = nn.Parameter(init / lr_multiplier)
        else:
            self.register_parameter("bias", None)
        self.weight_gain = gain * lr_multiplier / math.sqrt(in_features)
        self.bias_gain = lr_multiplier

    def forward(self, x: Tensor) -> Tensor:
        w = self.weight.to(x.dtype) * self.weight_gain
        b = None if self.bias is None else self.bias.to(x.dtype) * self.bias_gain
        if self.activation == "linear" and b is not None:
            return torch.addmm(b.unsqueeze(0), x, w.t())
        return bias_act(x.matmul(w.t()), b, activation=self.activation)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, activation={self.activation}"
        )


class EqualizedConv2d(nn.Module):
    """A stride-1, same-padded convolution with equalized learning rate: weights scaled by
    ``gain / sqrt(in_channels * k * k)``, then bias, activation (with its gain) and an optional clamp.

    Args:
        in_channels, out_channels, kernel_size: as in ``nn.Conv2d`` (square kernels, odd sizes pad evenly).
        bias: learn a bias (initialised to zero).
        activation: one of ``ACTIVATIONS``.
        conv_clamp: clamp the output to [-conv_clamp, conv_clamp] (StyleGAN2-ADA's mixed-precision guard).
        gain: an extra factor on the run-time weight scale.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        bias: bool = True,
        activation: str = "linear",
        conv_clamp: float | None = None,
        gain: float = 1.0,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.activation = activation
        self.conv_clamp = conv_clamp
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = gain / math.sqrt(in_channels * kernel_size**2)

    def forward(self, x: Tensor, gain: float = 1.0) -> Tensor:
        """``gain`` scales the output and the clamp (NVIDIA's residual blocks pass sqrt(0.5))."""
        w = self.weight.to(x.dtype) * self.weight_gain
        x = F.conv2d(x, w, padding=self.padding)
        b = None if self.bias is None else self.bias.to(x.dtype)
        clamp = None if self.conv_clamp is None else self.conv_clamp * gain
        return bias_act(
            x, b, activation=self.activation, gain=ACTIVATIONS[self.activation][1] * gain, clamp=clamp
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"activation={self.activation}"
        )


def pixel_norm(x: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Normalise each feature vector to unit mean square along ``dim`` (ProGAN's pixelwise feature vector
    normalization; StyleGAN's ``normalize_2nd_moment`` of z)."""
    return x * (x.square().mean(dim=dim, keepdim=True) + eps).rsqrt()


class PixelNorm(nn.Module):
    """``pixel_norm`` as a layer."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x: Tensor) -> Tensor:
        return pixel_norm(x, self.dim, self.eps)


def minibatch_stddev(
    x: Tensor,
    group_size: int | None = 4,
    num_channels: int = 1,
    eps: float = 1e-8,
    *,
    unbiased: bool = False,
    contiguous_groups: bool = False,
) -> Tensor:
    """Append ``num_channels`` feature maps holding the standard deviation of the features across groups of
    ``group_size`` samples (ProGAN Sec. 3; StyleGAN2's ``MinibatchStdLayer``): D sees how varied a batch is.

    Sample ``i`` is in group ``i % (N / G)`` (NVIDIA's layout); the channels are split into ``num_channels``
    groups, each averaged over its channels and pixels. ``group_size=None`` uses the whole batch.

    ``unbiased`` and ``contiguous_groups`` give pytorch_GAN_zoo's variant (``miniBatchStdDev``), which its
    published ProGANs were trained with: the N - 1 variance; groups of consecutive samples (sample ``i`` in
    group ``i // G``); a batch that ``group_size`` does not divide taken as one group; a zero channel for a
    batch of one.
    """
    n, c, h, w = x.shape
    g = n if group_size is None else min(group_size, n)
    if n % g:
        if not contiguous_groups:
            raise ValueError(f"batch size {n} is not a multiple of the minibatch-stddev group size {g}")
        g = n
    if c % num_channels:
        raise ValueError(f"{c} channels do not split into {num_channels} minibatch-stddev groups")
    if contiguous_groups or unbiased:
        if g == 1 and unbiased:
            return torch.cat([x, x.new_zeros(n, num_channels, h, w)], dim=1)
        dim = 1 if contiguous_groups else 0
        shape = (-1, g) if contiguous_groups else (g, -1)
        y = x.reshape(*shape, num_channels, c // num_channels, h, w).var(dim=dim, correction=int(unbiased))
        y = (y + eps).sqrt().mean(dim=[2, 3, 4])
        if contiguous_groups:
            y = y.repeat_interleave(g, dim=0).reshape(n, num_channels, 1, 1).expand(-1, -1, h, w)
        else:
            y = y.reshape(-1, num_channels, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, y], dim=1)
    y = x.reshape(g, -1, num_channels, c // num_channels, h, w)
    y = (y - y.mean(dim=0)).square().mean(dim=0)
    y = (y + eps).sqrt().mean(dim=[2, 3, 4])
    y = y.reshape(-1, num_channels, 1, 1).repeat(g, 1, h, w)
    return torch.cat([x, y], dim=1)


class MinibatchStdLayer(nn.Module):
    """``minibatch_stddev`` as a layer."""

    def __init__(self, group_size: int | None = 4, num_channels: int = 1) -> None:
        super().__init__()
        self.group_size, self.num_channels = group_size, num_channels

    def forward(self, x: Tensor) -> Tensor:
        return minibatch_stddev(x, self.group_size, self.num_channels)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}, num_channels={self.num_channels}"
