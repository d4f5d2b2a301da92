"""Modulated / demodulated convolution (StyleGAN2, Karras et al. 2020, Sec. 2.2, Eqs. 1-3).

Each sample's style ``s`` scales the input channels of the weights (modulation); demodulation divides
each output channel by the norm it would then have, which removes the blob artifacts of AdaIN while keeping
the per-sample control. "Fused" runs the whole batch as one grouped convolution with per-sample weights;
"unfused" scales the activations before and after a shared convolution (cheaper for training).
"cheapest" (for inference) picks, for a single sample, whichever of the two scales fewer values; the
demodulation coefficients can then come from the weights' squared norms per input channel (``weight_sq``)
by one matrix product, without materialising the modulated weights at all.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor

from ganzoo.nn.upfirdn2d import Padding, conv2d_resample


def modulated_conv2d(
    x: Tensor,
    weight: Tensor,
    styles: Tensor,
    *,
    noise: Tensor | None = None,
    up: int = 1,
    down: int = 1,
    padding: Padding = 0,
    resample_filter: Tensor | None = None,
    demodulate: bool = True,
    flip_weight: bool = True,
    fused_modconv: bool | Literal["cheapest"] = True,
    input_gain: Tensor | None = None,
    prenormalize: bool = False,
    weight_sq: Tensor | None = None,
) -> Tensor:
    """Convolve ``x`` [N, I, H, W] with ``weight`` [O, I, k, k] modulated by ``styles`` [N, I].

    Args:
        noise: added to the output (after demodulation), broadcast to [N, O, H', W'].
        up, down, padding, resample_filter, flip_weight: as in ``conv2d_resample``.
        demodulate: normalise each output channel's modulated weights to unit norm.
        fused_modconv: one grouped convolution with per-sample weights instead of scaling activations;
            ``"cheapest"``: for one sample, whichever scales fewer values; for several, scale activations
            (one shared convolution beats a grouped one on a CPU).
        input_gain: extra per-input-channel scales applied after demodulation (StyleGAN3's magnitude EMA).
        prenormalize: scale weights and styles to unit RMS first (StyleGAN3; exact under demodulation, it
            only keeps the intermediate values in range).
        weight_sq: ``weight.square().sum([2, 3])`` [O, I], precomputed once for inference; demodulation
            then costs an [N, I] x [I, O] product instead of N x O x I x k x k multiplies.
    """
    n = x.shape[0]
    _, in_channels, kh, kw = weight.shape
    if styles.shape != (n, in_channels):
        raise ValueError(f"styles must have shape [{n}, {in_channels}], got {list(styles.shape)}")
    if prenormalize and demodulate:
        weight = weight * weight.square().mean([1, 2, 3], keepdim=True).rsqrt()
        styles = styles * styles.square().mean().rsqrt()
    if fused_modconv == "cheapest":
        out_pixels = x.shape[2] * x.shape[3] * up * up // (down * down)
        activations = in_channels * x.shape[2] * x.shape[3] + weight.shape[0] * out_pixels
        fused_modconv = n == 1 and weight.numel() < activations
    w = dcoefs = None
    if demodulate and weight_sq is not None and not prenormalize:
        # sum_{i,k} (w_oik s_i)^2 = sum_i s_i^2 sum_k w_oik^2
        dcoefs = (styles.square() @ weight_sq.t() + 1e-8).rsqrt()
    elif demodulate or fused_modconv or input_gain is not None:
        w = weight.unsqueeze(0) * styles.reshape(n, 1, -1, 1, 1)
        if demodulate:
            dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
    if not fused_modconv and input_gain is None:
        x = x * styles.to(x.dtype).reshape(n, -1, 1, 1)
        x = conv2d_resample(
            x, weight.to(x.dtype), resample_filter, up=up, down=down, padding=padding, flip_weight=flip_weight
        )
        if dcoefs is not None:
            x = x * dcoefs.to(x.dtype).reshape(n, -1, 1, 1)
        return x if noise is None else x + noise.to(x.dtype)
    if w is None:
        w = weight.unsqueeze(0) * styles.reshape(n, 1, -1, 1, 1)
    if dcoefs is not None:
        w = w * dcoefs.reshape(n, -1, 1, 1, 1)
    if input_gain is not None:
        w = w * input_gain.expand(n, in_channels).reshape(n, 1, -1, 1, 1)
    x = x.reshape(1, -1, *x.shape[2:])
    w = w.reshape(-1, in_channels, kh, kw).to(x.dtype)
    x = conv2d_resample(
        x, w, resample_filter, up=up, down=down, padding=padding, groups=n, flip_weight=flip_weight
    )
    x = x.reshape(n, -1, *x.shape[2:])
    return x if noise is None else x + noise.to(x.dtype)
