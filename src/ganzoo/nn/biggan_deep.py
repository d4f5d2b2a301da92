"""BigGAN-deep's networks (Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
ICLR 2019, Appendix B), in the form of the published generators.

BigGAN-deep is four times deeper than BigGAN: every residual block is a bottleneck (1x1 down to a quarter of
the channels, two 3x3 convolutions, 1x1 back up), two blocks per resolution, and skip connections that stay
identities (G drops channels, D concatenates new ones). G feeds all of z, concatenated with the class
embedding, to the first linear layer and to every conditional batch norm. DeepMind published G alone, with
batch-norm statistics measured at 51 truncation values; ``StandingBatchNorm`` keeps and selects them exactly
as ``pytorch-pretrained-biggan`` does, so the converted weights reproduce its images.
"""

from __future__ import annotations

import copy
import itertools
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn import biggan
from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.projection import Projection
from ganzoo.nn.spectral_norm import SNConv2d, SNLinear, fold_spectral_norm

# Channel multipliers of ch from the 4x4 input to the output: BigGAN's, one stage (two blocks) per doubling.
G_CHANNELS: dict[int, tuple[int, ...]] = {**biggan.G_CHANNELS, 512: (16, 16, 8, 8, 4, 2, 1, 1)}
# D stages as (input multiplier, output multiplier, downsample), as in the authors' BigGAN-PyTorch.
D_STAGES: dict[int, tuple[tuple[int, int, bool], ...]] = {
    32: ((4, 4, True), (4, 4, True), (4, 4, False)),
    64: ((1, 2, True), (2, 4, True), (4, 8, True), (8, 16, True)),
    128: ((1, 2, True), (2, 4, True), (4, 8, True), (8, 16, True), (16, 16, True)),
    256: ((1, 2, True), (2, 4, True), (4, 8, True), (8, 8, True), (8, 16, True), (16, 16, True)),
}


@torch.no_grad()
def _settle_spectral_norm(module: nn.Module, iterations: int = 10) -> None:
    """Power-iterate every spectral norm's stored vectors on the initial weights.

    torch starts them at random and eval mode uses them as they are, so a fresh network's sigma could be
    anything (images of NaN); a few iterations make eval mode right from the start.
    """
    for m in module.modules():
        if hasattr(m, "weight_orig") and hasattr(m, "weight_u") and not m.weight_orig.is_meta:
            w, u = m.weight_orig.flatten(1), m.weight_u
            for _ in range(iterations):
                v = F.normalize(w.t() @ u, dim=0)
                u = F.normalize(w @ v, dim=0)
            m.weight_u.copy_(u)
            m.weight_v.copy_(v)


class StandingBatchNorm(nn.Module):
    """Batch norm whose eval statistics depend on the truncation the latents were drawn with.

    Truncating z shifts every activation's distribution, so the published models carry ``n_stats`` sets of
    "standing" statistics measured at truncations 0, 1/(n_stats-1), ..., 1. A truncation between grid points
    mixes its two neighbours with ``pytorch-pretrained-biggan``'s arithmetic: ``c, i = modf(t / step)`` and
    ``c * stats[i] + (1 - c) * stats[i + 1]`` (sic: the weights as published, so that images match theirs).
    Training normalizes with batch statistics and keeps every slot at their running average (z is not
    truncated then); ``BigGANDeep.accumulate_standing_stats`` re-measures each slot at its own truncation.

    With ``cond_dim`` the gain and bias are ``1 + W_gain c`` and ``W_bias c`` of a conditioning vector
    (spectrally normalized linear maps, BigGAN's conditional BN); without, they are learned vectors.
    """

    def __init__(
        self,
        num_features: int,
        cond_dim: int | None = None,
        *,
        n_stats: int = 51,
        eps: float = 1e-4,
        momentum: float = 0.1,
        sn_eps: float = 1e-4,
    ) -> None:
        super().__init__()
        if n_stats < 2:
            raise ValueError(f"n_stats must be >= 2 (statistics at truncation 0 and 1), got {n_stats}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.step_size = 1.0 / (n_stats - 1)
        self.register_buffer("running_means", torch.zeros(n_stats, num_features))
        self.register_buffer("running_vars", torch.ones(n_stats, num_features))
        self.conditional = cond_dim is not None
        if self.conditional:
            self.gain = SNLinear(cond_dim, num_features, bias=False, eps=sn_eps)
            self.bias = SNLinear(cond_dim, num_features, bias=False, eps=sn_eps)
        else:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))

    def statistics(self, truncation: float | None) -> tuple[Tensor, Tensor]:
        """(mean, var) for ``truncation`` in (0, 1]; ``None`` (untruncated z) takes truncation 1's."""
        truncation = 1.0 if truncation is None else truncation
        if not 0.0 < truncation <= 1.0:
            raise ValueError(f"truncation must be in (0, 1], got {truncation}")
        coef, index = math.modf(truncation / self.step_size)
        index = int(index)
        if coef == 0.0:
            return self.running_means[index], self.running_vars[index]
        mean = self.running_means[index] * coef + self.running_means[index + 1] * (1 - coef)
        var = self.running_vars[index] * coef + self.running_vars[index + 1] * (1 - coef)
        return mean, var

    def affine(self, cond: Tensor | None) -> tuple[Tensor, Tensor]:
        """(gain, bias), each (N, C, 1, 1) when conditional, else (1, C, 1, 1)."""
        if not self.conditional:
            return self.weight.view(1, -1, 1, 1), self.bias.view(1, -1, 1, 1)
        if cond is None:
            raise ValueError("this batch norm is conditional; pass the conditioning vector")
        return 1 + self.gain(cond)[..., None, None], self.bias(cond)[..., None, None]

    def forward(self, x: Tensor, truncation: float | None = None, cond: Tensor | None = None) -> Tensor:
        if self.training:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0)
            with torch.no_grad():
                n = x.numel() / x.shape[1]
                self.running_means.lerp_(mean.expand_as(self.running_means), self.momentum)
                unbiased = var * (n / max(n - 1, 1))
                self.running_vars.lerp_(unbiased.expand_as(self.running_vars), self.momentum)
        else:
            mean, var = self.statistics(truncation)
        gain, bias = self.affine(cond)
        scale = gain * torch.rsqrt(var + self.eps).view(1, -1, 1, 1)
        return torch.addcmul(bias - mean.view(1, -1, 1, 1) * scale, x, scale)


class BottleneckGBlock(nn.Module):
    """G's bottleneck residual block: BN-ReLU-conv four times, upsampling before the first 3x3 conv.

    The skip connection keeps the first ``out_channels`` channels of the input (and upsamples them).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        cond_dim: int,
        *,
        upsample: bool,
        channel_ratio: int = 4,
        n_stats: int = 51,
        bn_eps: float = 1e-4,
        sn_eps: float = 1e-4,
    ) -> None:
        super().__init__()
        if out_channels > in_channels:
            raise ValueError(f"G blocks only keep or drop channels; got {in_channels} -> {out_channels}")
        hidden = in_channels // channel_ratio
        self.out_channels, self.upsample = out_channels, upsample

        def bn(c: int) -> StandingBatchNorm:
            return StandingBatchNorm(c, cond_dim, n_stats=n_stats, eps=bn_eps, sn_eps=sn_eps)

        self.bn1, self.bn2, self.bn3, self.bn4 = bn(in_channels), bn(hidden), bn(hidden), bn(hidden)
        self.conv1 = SNConv2d(in_channels, hidden, 1, eps=sn_eps)
        self.conv2 = SNConv2d(hidden, hidden, 3, padding=1, eps=sn_eps)
        self.conv3 = SNConv2d(hidden, hidden, 3, padding=1, eps=sn_eps)
        self.conv4 = SNConv2d(hidden, out_channels, 1, eps=sn_eps)

    def forward(self, x: Tensor, cond: Tensor, truncation: float | None = None) -> Tensor:
        # In-place ReLUs: each acts on a fresh batch-norm output that nothing else keeps.
        h = self.conv1(F.relu(self.bn1(x, truncation, cond), inplace=True))
        h = F.relu(self.bn2(h, truncation, cond), inplace=True)
        if self.upsample:
            h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.conv2(h)
        h = self.conv3(F.relu(self.bn3(h, truncation, cond), inplace=True))
        h = self.conv4(F.relu(self.bn4(h, truncation, cond), inplace=True))
        x = x[:, : self.out_channels]
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        return h + x


class PointwiseConv(nn.Module):
    """A 1x1 convolution as one matrix product over the pixels of a channels-last map, a view away from
    (N*H*W, C); torch's CPU convolution takes a slower per-image path for small 1x1 batches."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        if conv.kernel_size != (1, 1) or conv.stride != (1, 1) or conv.groups != 1:
            raise ValueError(f"PointwiseConv replaces plain 1x1 convolutions, got {conv}")
        self.weight = nn.Parameter(conv.weight.detach().flatten(1), requires_grad=conv.weight.requires_grad)
        self.bias = None if conv.bias is None else nn.Parameter(conv.bias.detach(), conv.bias.requires_grad)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x.permute(0, 2, 3, 1), self.weight, self.bias).permute(0, 3, 1, 2)


class BigGANDeepGenerator(nn.Module):
    """G(z, y, truncation): class-conditional images in [-1, 1] at ``resolution`` (32 to 512).

    Args:
        resolution: output size; the published models are 128, 256 and 512.
        latent_dim: size of z (128).
        num_classes: number of classes; ``y`` is a label index or a (soft) class vector of this length.
        embed_dim: size of the class embedding concatenated to z (128).
        channel_width: ch, the width multiplier (128 in the published models).
        attention_resolution: where the self-attention block goes (after the blocks reaching it; 64).
        n_stats: number of truncation values with their own batch-norm statistics (51).
        bn_eps, sn_eps: the epsilons of batch norm and spectral norm (1e-4 in the published models).
    """

    accepts_class_vectors = True  # y may be a (soft) class vector; see class_embedding
    memory_format = torch.contiguous_format  # of the activations; for_inference's copy goes channels-last

    def __init__(
        self,
        resolution: int = 128,
        *,
        latent_dim: int = 128,
        num_classes: int = 1000,
        embed_dim: int = 128,
        channel_width: int = 128,
        attention_resolution: int | None = 64,
        n_stats: int = 51,
        bn_eps: float = 1e-4,
        sn_eps: float = 1e-4,
        init: biggan.InitStyle | None = "ortho",
    ) -> None:
        super().__init__()
        if resolution not in G_CHANNELS:
            raise ValueError(f"BigGAN-deep G has no architecture for {resolution}; use {sorted(G_CHANNELS)}")
        mult, ch = G_CHANNELS[resolution], channel_width
        self.num_classes, self.bottom_width, self.rgb_channels = num_classes, 4, 3
        cond_dim = latent_dim + embed_dim
        self.embed = nn.Embedding(num_classes, embed_dim)
        self.linear = SNLinear(cond_dim, mult[0] * ch * self.bottom_width**2, eps=sn_eps)
        eps = {"n_stats": n_stats, "bn_eps": bn_eps, "sn_eps": sn_eps}
        blocks: list[nn.Module] = []
        size = self.bottom_width
        for c_in, c_out in itertools.pairwise(mult):  # a stage: keep the width, then upsample and narrow
            blocks.append(BottleneckGBlock(c_in * ch, c_in * ch, cond_dim, upsample=False, **eps))
            blocks.append(BottleneckGBlock(c_in * ch, c_out * ch, cond_dim, upsample=True, **eps))
            size *= 2
            if size == attention_resolution:
                blocks.append(SelfAttention(c_out * ch, eps=sn_eps))
        self.blocks = nn.ModuleList(blocks)
        self.output_bn = StandingBatchNorm(mult[-1] * ch, n_stats=n_stats, eps=bn_eps)
        # The published models keep ch output channels here and use the first three (BigGAN-PyTorch does
        # the same); ``for_inference`` drops the rest.
        self.output_conv = SNConv2d(mult[-1] * ch, mult[-1] * ch, 3, padding=1, eps=sn_eps)
        if init is not None:  # None: weights are about to be loaded, so skip seconds of initialisation
            biggan.init_weights_(self, init)
            _settle_spectral_norm(self)

    def class_embedding(self, y: Tensor) -> Tensor:
        """The embedding of label indices (N,) or of class vectors (N, num_classes), e.g. one-hot or mixed."""
        if y.is_floating_point():
            if y.dim() != 2 or y.shape[1] != self.num_classes:
                raise ValueError(
                    f"class vectors must have shape (N, {self.num_classes}), got {tuple(y.shape)}"
                )
            return y @ self.embed.weight
        return self.embed(y)

    def forward(self, z: Tensor, y: Tensor, truncation: float | None = None) -> Tensor:
        """``truncation`` selects the batch-norm statistics in eval mode (``None``: those of 1.0)."""
        cond = torch.cat([z, self.class_embedding(y)], dim=1)
        h = self.linear(cond).view(z.shape[0], -1, self.bottom_width, self.bottom_width)
        h = h.contiguous(memory_format=self.memory_format)
        for block in self.blocks:
            h = block(h, cond, truncation) if isinstance(block, BottleneckGBlock) else block(h)
        h = self.output_conv(F.relu(self.output_bn(h, truncation), inplace=True))
        return torch.tanh(h[:, : self.rgb_channels])

    @torch.no_grad()
    def for_inference(self) -> BigGANDeepGenerator:
        """A frozen eval-mode copy that computes the same images faster: spectral norm folded into plain
        weights, the output convolution cut to the three channels that are used, and activations kept
        channels-last, where the bottlenecks' 1x1 convolutions are single matrix products. ``self`` is
        unchanged, so training goes on exactly as before; the copy goes stale once the weights change."""
        net = fold_spectral_norm(copy.deepcopy(self)).eval().requires_grad_(False)
        conv = net.output_conv
        conv.weight = nn.Parameter(conv.weight[: self.rgb_channels].clone(), requires_grad=False)
        conv.bias = nn.Parameter(conv.bias[: self.rgb_channels].clone(), requires_grad=False)
        conv.out_channels = self.rgb_channels
        for block in net.blocks:
            if isinstance(block, BottleneckGBlock):
                block.conv1, block.conv4 = PointwiseConv(block.conv1), PointwiseConv(block.conv4)
        net.memory_format = torch.channels_last
        return net.to(memory_format=torch.channels_last)


class BottleneckDBlock(nn.Module):
    """D's bottleneck residual block: ReLU-conv four times (1x1, 3x3, 3x3, 1x1), average-pooling before the
    last 1x1; the skip connection pools and concatenates ``out - in`` new channels from a 1x1 conv."""

    def __init__(
        self, in_channels: int, out_channels: int, *, downsample: bool, channel_ratio: int = 4, sn_eps: float
    ) -> None:
        super().__init__()
        if out_channels < in_channels:
            raise ValueError(f"D blocks only keep or add channels; got {in_channels} -> {out_channels}")
        hidden = out_channels // channel_ratio
        self.downsample = downsample
        self.conv1 = SNConv2d(in_channels, hidden, 1, eps=sn_eps)
        self.conv2 = SNConv2d(hidden, hidden, 3, padding=1, eps=sn_eps)
        self.conv3 = SNConv2d(hidden, hidden, 3, padding=1, eps=sn_eps)
        self.conv4 = SNConv2d(hidden, out_channels, 1, eps=sn_eps)
        self.conv_sc = (
            SNConv2d(in_channels, out_channels - in_channels, 1, eps=sn_eps)
            if out_channels > in_channels
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv1(F.relu(x))
        h = self.conv3(F.relu(self.conv2(F.relu(h))))
        h = F.relu(h)
        if self.downsample:
            h, x = F.avg_pool2d(h, 2), F.avg_pool2d(x, 2)
        if self.conv_sc is not None:
            x = torch.cat([x, self.conv_sc(x)], dim=1)
        return self.conv4(h) + x


class BigGANDeepDiscriminator(nn.Module):
    """D(x, y): one hinge score per image, from bottleneck blocks and a projection head (no weights were
    published; this follows the paper's appendix and the authors' BigGAN-PyTorch ``BigGANdeep.py``).

    Args:
        resolution: input size (32, 64, 128 or 256).
        num_classes: number of classes of the projection head.
        channel_width: ch (128 in the paper).
        attention_resolution: the self-attention block follows the stage that reaches it (64).
        blocks_per_stage: residual blocks per resolution (2); the first changes channels and pools.
        sn_eps: spectral norm's epsilon.
    """

    def __init__(
        self,
        resolution: int = 128,
        *,
        num_classes: int = 1000,
        channel_width: int = 128,
        attention_resolution: int | None = 64,
        blocks_per_stage: int = 2,
        sn_eps: float = 1e-12,
        init: biggan.InitStyle | None = "ortho",
    ) -> None:
        super().__init__()
        if resolution not in D_STAGES:
            raise ValueError(f"BigGAN-deep D has no architecture for {resolution}; use {sorted(D_STAGES)}")
        stages, ch = D_STAGES[resolution], channel_width
        self.input_conv = SNConv2d(3, stages[0][0] * ch, 3, padding=1, eps=sn_eps)
        blocks: list[nn.Module] = []
        size = resolution
        for c_in, c_out, downsample in stages:
            blocks.append(BottleneckDBlock(c_in * ch, c_out * ch, downsample=downsample, sn_eps=sn_eps))
            blocks += [
                BottleneckDBlock(c_out * ch, c_out * ch, downsample=False, sn_eps=sn_eps)
                for _ in range(blocks_per_stage - 1)
            ]
            size //= 2 if downsample else 1
            if size == attention_resolution:
                blocks.append(SelfAttention(c_out * ch, eps=sn_eps))
        self.blocks = nn.Sequential(*blocks)
        self.head = Projection(stages[-1][1] * ch, num_classes, eps=sn_eps)
        if init is not None:
            biggan.init_weights_(self, init)
            _settle_spectral_norm(self)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        h = F.relu(self.blocks(self.input_conv(x))).sum(dim=(2, 3))  # global sum pooling
        return self.head(h, y)
