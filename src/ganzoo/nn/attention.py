"""Self-attention over spatial positions (SAGAN, Zhang et al. 2019), in the form BigGAN uses.

o = gamma * W_o(softmax(theta(x)^T phi(x)) g(x)) + x, with 1x1 convolutions theta, phi (C -> C/8),
g (C -> C/2) and o (C/2 -> C), the keys phi and values g max-pooled 2x2 (4x fewer positions to attend to),
and gamma initialised to 0 so a fresh block is the identity and the network learns how much to attend.
The submodule names match BigGAN-PyTorch's ``layers.Attention`` so that converters only rename prefixes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.spectral_norm import maybe_spectral_norm


class SelfAttention(nn.Module):
    """Args: ``channels`` (divisible by 8); ``sn`` puts spectral norm on the four convolutions;
    ``eps`` is spectral norm's epsilon. Inputs need even height and width (the 2x2 pooling)."""

    def __init__(self, channels: int, sn: bool = True, eps: float = 1e-12) -> None:
        super().__init__()
        if channels % 8 != 0:
            raise ValueError(f"SelfAttention needs channels divisible by 8 (C/8 query size), got {channels}")
        self.channels = channels

        def conv(c_in: int, c_out: int) -> nn.Conv2d:
            return maybe_spectral_norm(nn.Conv2d(c_in, c_out, 1, bias=False), sn, eps)

        self.theta = conv(channels, channels // 8)
        self.phi = conv(channels, channels // 8)
        self.g = conv(channels, channels // 2)
        self.o = conv(channels // 2, channels)
        self.gamma = nn.Parameter(torch.zeros(()))

    def attention_weights(self, x: Tensor) -> Tensor:
        """beta of shape (N, H*W, H*W/4): for every position, a distribution over the pooled positions."""
        theta = self.theta(x).flatten(2)  # (N, C/8, HW)
        phi = F.max_pool2d(self.phi(x), 2).flatten(2)  # (N, C/8, HW/4)
        return torch.softmax(theta.transpose(1, 2) @ phi, dim=-1)

    def forward(self, x: Tensor) -> Tensor:
        n, _, h, w = x.shape
        if h % 2 or w % 2:
            raise ValueError(f"SelfAttention pools 2x2, so it needs even height and width; got {h}x{w}")
        g = F.max_pool2d(self.g(x), 2).flatten(2)  # (N, C/2, HW/4)
        attended = (g @ self.attention_weights(x).transpose(1, 2)).view(n, self.channels // 2, h, w)
        return self.gamma * self.o(attended) + x
