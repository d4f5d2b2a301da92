"""FIR resampling: upsample by zero insertion, pad, filter, downsample by decimation (``upfirdn2d``).

StyleGAN2 (Karras et al. 2020, App. B) resamples with a [1, 3, 3, 1] binomial low-pass filter instead of
nearest-neighbour or strided steps, and StyleGAN3 with windowed-sinc filters; both fuse the filter with
the convolution next to it. These are plain-PyTorch versions with the semantics of NVIDIA's ``upfirdn2d``
and ``conv2d_resample`` ops (paddings, gains, filter flips), so that weights trained with those ops give
the same images here.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

Padding = int | Sequence[int]


def setup_filter(
    f: Sequence[float] | Sequence[Sequence[float]] | Tensor | None,
    *,
    normalize: bool = True,
    flip_filter: bool = False,
    gain: float = 1.0,
    separable: bool | None = None,
) -> Tensor:
    """The filter tensor the ops below take: a 1-D taps list becomes its outer product (separable filters,
    kept 1-D, are those with >= 8 taps unless ``separable`` says otherwise), normalised to sum to one and
    scaled so that the whole 2-D filter has ``gain``."""
    f = torch.as_tensor(1.0 if f is None else f, dtype=torch.float32)
    if f.dim() not in (0, 1, 2) or f.numel() == 0:
        raise ValueError(f"a FIR filter is a non-empty 1-D or 2-D list of taps, got shape {tuple(f.shape)}")
    if f.dim() == 0:
        f = f[None]
    if separable is None:
        separable = f.dim() == 1 and f.numel() >= 8
    if f.dim() == 1 and not separable:
        f = torch.outer(f, f)
    if normalize:
        f = f / f.sum()
    if flip_filter:
        f = f.flip(list(range(f.dim())))
    return f * (gain ** (f.dim() / 2))


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    x, y = value
    return int(x), int(y)


def _padding(padding: Padding) -> tuple[int, int, int, int]:
    """(x0, x1, y0, y1) from an int, an (x, y) pair or the four values."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    padding = [int(p) for p in padding]
    if len(padding) == 2:
        return padding[0], padding[0], padding[1], padding[1]
    if len(padding) != 4:
        raise ValueError(f"padding is an int, [x, y] or [x0, x1, y0, y1]; got {padding}")
    return padding[0], padding[1], padding[2], padding[3]


def filter_size(f: Tensor | None) -> tuple[int, int]:
    """(width, height) of a filter from ``setup_filter`` (1 x 1 for none)."""
    if f is None:
        return 1, 1
    return int(f.shape[-1]), int(f.shape[0])


def upfirdn2d(
    x: Tensor,
    f: Tensor | None,
    *,
    up: int | Sequence[int] = 1,
    down: int | Sequence[int] = 1,
    padding: Padding = 0,
    flip_filter: bool = False,
    gain: float = 1.0,
) -> Tensor:
    """Upsample ``x`` [N, C, H, W] by inserting ``up - 1`` zeros between samples, pad (negative values
    crop), convolve every channel with ``f`` (a true convolution unless ``flip_filter``; a 1-D ``f`` is
    applied along both axes) scaled by ``gain``, then keep every ``down``-th sample.

    Computed without the zeros or the discarded samples: upsampling is a strided transposed convolution,
    downsampling a strided convolution, so no multiply is spent on an inserted zero or a dropped output.
    """
    if f is None:
        f = torch.ones(1, 1, dtype=torch.float32, device=x.device)
    up, down, (px0, px1, py0, py1) = _pair(up), _pair(down), _padding(padding)
    kernel = (f * (gain ** (f.dim() / 2))).to(x.dtype)  # the true-convolution kernel
    if flip_filter:
        kernel = kernel.flip(list(range(f.dim())))
    if down == (1, 1) and _in_cache_pays(x):
        taps = _separable_taps(kernel)
        if taps is not None:
            return _fir_separable_in_cache(x, *taps, up, (px0, px1), (py0, py1))
    if kernel.dim() == 2:
        return _fir(x, kernel, up, down, (px0, px1), (py0, py1))
    x = _fir(x, kernel[None], (up[0], 1), (down[0], 1), (px0, px1), (0, 0))
    return _fir(x, kernel[:, None], (1, up[1]), (1, down[1]), (0, 0), (py0, py1))


def _fir(
    x: Tensor,
    kernel: Tensor,
    up: tuple[int, int],
    down: tuple[int, int],
    pad_x: tuple[int, int],
    pad_y: tuple[int, int],
) -> Tensor:
    """``upfirdn2d`` with one 2-D true-convolution ``kernel`` [kh, kw] and (x, y) factors and paddings."""
    c, (kh, kw) = x.shape[1], kernel.shape
    weight = kernel[None, None].expand(c, 1, kh, kw)
    (upx, upy), (downx, downy) = up, down
    if upx == upy == 1:
        # Equal non-negative padding on both sides is left to the convolution (no padded copy of x).
        cx = pad_x[0] if pad_x[0] == pad_x[1] and pad_x[0] >= 0 else 0
        cy = pad_y[0] if pad_y[0] == pad_y[1] and pad_y[0] >= 0 else 0
        if (pad_x[0] - cx, pad_x[1] - cx, pad_y[0] - cy, pad_y[1] - cy) != (0, 0, 0, 0):
            x = F.pad(x, [pad_x[0] - cx, pad_x[1] - cx, pad_y[0] - cy, pad_y[1] - cy])
        return F.conv2d(x, weight.flip([2, 3]), stride=(downy, downx), padding=(cy, cx), groups=c)
    # The transposed convolution gives the full convolution of the zero-inserted image, of length
    # (n - 1) * up + k; the padded, valid result is its window starting at k - 1 - pad0.
    h, w = x.shape[2:]
    starts = (kh - 1 - pad_y[0], kw - 1 - pad_x[0])
    sizes = (h * upy + sum(pad_y) - kh + 1, w * upx + sum(pad_x) - kw + 1)
    full = ((h - 1) * upy + kh, (w - 1) * upx + kw)
    crops = [(s, n - s - size) for s, size, n in zip(starts, sizes, full, strict=True)]
    symmetric = [a if a == b and a >= 0 else 0 for a, b in crops]
    x = F.conv_transpose2d(x, weight, stride=(upy, upx), padding=tuple(symmetric), groups=c)
    (cy0, cy1), (cx0, cx1) = [(a - s, b - s) for (a, b), s in zip(crops, symmetric, strict=True)]
    if (cx0, cx1, cy0, cy1) != (0, 0, 0, 0):
        x = F.pad(x, [-cx0, -cx1, -cy0, -cy1])
    return x if downx == downy == 1 else x[:, :, ::downy, ::downx]


# Above this many elements a depthwise convolution falls out of the CPU's last-level cache and runs several
# times slower than the same filter as shifted multiply-adds on cache-sized groups of channels.
_IN_CACHE_MIN_NUMEL = 1 << 22
_IN_CACHE_CHUNK_NUMEL = 1 << 18


def _in_cache_pays(x: Tensor) -> bool:
    """Whether ``_fir_separable_in_cache`` applies: a large tensor on a CPU, without autograd."""
    grad = torch.is_grad_enabled() and x.requires_grad
    return x.device.type == "cpu" and not grad and x.numel() >= _IN_CACHE_MIN_NUMEL


def _separable_taps(kernel: Tensor) -> tuple[list[float], list[float]] | None:
    """(vertical, horizontal) 1-D true-convolution taps whose outer product is ``kernel``; ``None`` for a
    2-D kernel that is not an outer product."""
    if kernel.dim() == 1:
        taps = kernel.tolist()
        return taps, taps
    k = kernel.double()
    i, j = divmod(int(k.abs().argmax()), k.shape[1])
    if k[i, j] == 0:
        return None
    ky, kx = k[:, j], k[i] / k[i, j]
    if not torch.allclose(torch.outer(ky, kx), k, rtol=1e-6, atol=0):
        return None
    return ky.tolist(), kx.tolist()


def _fir_separable_in_cache(
    x: Tensor,
    ky: list[float],
    kx: list[float],
    up: tuple[int, int],
    pad_x: tuple[int, int],
    pad_y: tuple[int, int],
) -> Tensor:
    """``upfirdn2d`` (no downsampling) with the outer product of ``ky`` and ``kx``, as one multiply-add per
    tap and axis on strided views, a few channels at a time so that both passes stay in cache."""
    n, c, h, w = x.shape
    upx, upy = up
    rows = h * upy + sum(pad_y) - len(ky) + 1
    cols = w * upx + sum(pad_x) - len(kx) + 1
    if rows <= 0 or cols <= 0:
        raise ValueError(f"the padding {pad_x + pad_y} crops the whole {h}x{w} image")
    planes = x.reshape(n * c, h, w)
    out = x.new_empty(n * c, rows, cols)
    step = max(1, _IN_CACHE_CHUNK_NUMEL // (h * w))
    scratch = x.new_empty(min(step, n * c), rows, w)
    for start in range(0, n * c, step):
        src = planes[start : start + step]
        mid = scratch[: src.shape[0]]
        _fir_axis(src, mid, ky, upy, pad_y[0], dim=1)
        _fir_axis(mid, out[start : start + step], kx, upx, pad_x[0], dim=2)
    return out.reshape(n, c, rows, cols)


def _fir_axis(src: Tensor, dst: Tensor, taps: list[float], up: int, pad0: int, dim: int) -> None:
    """Along ``dim``: ``dst`` = the true convolution of ``taps`` with ``src`` after inserting ``up - 1`` zeros
    after each sample and padding ``pad0`` in front, i.e. ``dst[j] = sum_t c[t] * z[j + t - pad0]`` with
    ``c`` the reversed taps; each tap adds to the outputs that land on a sample, never on a zero."""
    dst.zero_()
    n, length = src.shape[dim], dst.shape[dim]
    for t, tap in enumerate(reversed(taps)):
        first = max(0, pad0 - t)
        first += -(first + t - pad0) % up
        i0 = (first + t - pad0) // up
        count = min((length - 1 - first) // up + 1, n - i0) if first < length else 0
        if count <= 0 or tap == 0:
            continue
        index = [slice(None)] * dst.dim()
        index[dim] = slice(first, first + up * (count - 1) + 1, up)
        dst[tuple(index)].add_(src.narrow(dim, i0, count), alpha=tap)


def filter2d(x: Tensor, f: Tensor, padding: Padding = 0, gain: float = 1.0) -> Tensor:
    """Convolve with ``f`` keeping the image size (zeros outside), plus ``padding``."""
    fw, fh = filter_size(f)
    px0, px1, py0, py1 = _padding(padding)
    pad = [px0 + fw // 2, px1 + (fw - 1) // 2, py0 + fh // 2, py1 + (fh - 1) // 2]
    return upfirdn2d(x, f, padding=pad, gain=gain)


def upsample2d(x: Tensor, f: Tensor | None, up: int = 2, padding: Padding = 0, gain: float = 1.0) -> Tensor:
    """Upsample by ``up`` with ``f``, keeping the image centred and its brightness (gain ``up**2``)."""
    fw, fh = filter_size(f)
    px0, px1, py0, py1 = _padding(padding)
    pad = [px0 + (fw + up - 1) // 2, px1 + (fw - up) // 2, py0 + (fh + up - 1) // 2, py1 + (fh - up) // 2]
    return upfirdn2d(x, f, up=up, padding=pad, gain=gain * up * up)


def downsample2d(
    x: Tensor,
    f: Tensor | None,
    down: int = 2,
    padding: Padding = 0,
    gain: float = 1.0,
    flip_filter: bool = False,
) -> Tensor:
    """Low-pass with ``f``, then keep every ``down``-th sample, keeping the image centred
    (``flip_filter`` correlates instead, undoing the shift an asymmetric ``f`` gave in ``upsample2d``)."""
    fw, fh = filter_size(f)
    px0, px1, py0, py1 = _padding(padding)
    pad = [
        px0 + (fw - down + 1) // 2,
        px1 + (fw - down) // 2,
        py0 + (fh - down + 1) // 2,
        py1 + (fh - down) // 2,
    ]
    return upfirdn2d(x, f, down=down, padding=pad, gain=gain, flip_filter=flip_filter)


def _conv(
    x: Tensor,
    w: Tensor,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    groups: int = 1,
    transpose: bool = False,
    flip_weight: bool = True,
) -> Tensor:
    """``F.conv2d`` (a correlation) or its transpose; ``flip_weight=False`` makes it a true convolution."""
    if not flip_weight and (w.shape[2] > 1 or w.shape[3] > 1):
        w = w.flip([2, 3])
    pointwise = w.shape[2:] == (1, 1) and stride == 1 and padding in (0, (0, 0)) and groups == 1
    if pointwise and w.shape[0] < 8 and x.device.type == "cpu" and not transpose:
        # A 1x1 convolution to a few channels (ToRGB) as one matrix product: oneDNN pads the output
        # channels to its vector width and runs several times slower than this.
        n, c, h, width = x.shape
        return torch.matmul(w.reshape(w.shape[0], c), x.reshape(n, c, h * width)).reshape(n, -1, h, width)
    op = F.conv_transpose2d if transpose else F.conv2d
    return op(x, w, stride=stride, padding=padding, groups=groups)


def conv2d_resample(
    x: Tensor,
    w: Tensor,
    f: Tensor | None = None,
    *,
    up: int = 1,
    down: int = 1,
    padding: Padding = 0,
    groups: int = 1,
    flip_weight: bool = True,
) -> Tensor:
    """Convolution with FIR up/downsampling fused in the cheapest order: ``padding`` is with respect to the
    upsampled image; upsampling runs as a strided transposed convolution followed by the filter,
    downsampling as the filter followed by a strided convolution (1x1 kernels resample on the small side)."""
    out_channels, in_per_group, kh, kw = w.shape
    fw, fh = filter_size(f)
    px0, px1, py0, py1 = _padding(padding)
    if up > 1:
        px0, px1 = px0 + (fw + up - 1) // 2, px1 + (fw - up) // 2
        py0, py1 = py0 + (fh + up - 1) // 2, py1 + (fh - up) // 2
    if down > 1:
        px0, px1 = px0 + (fw - down + 1) // 2, px1 + (fw - down) // 2
        py0, py1 = py0 + (fh - down + 1) // 2, py1 + (fh - down) // 2
    pad = [px0, px1, py0, py1]

    if kw == 1 and kh == 1 and down > 1 and up == 1:
        x = upfirdn2d(x, f, down=down, padding=pad)
        return _conv(x, w, groups=groups, flip_weight=flip_weight)
    if kw == 1 and kh == 1 and up > 1 and down == 1:
        x = _conv(x, w, groups=groups, flip_weight=flip_weight)
        return upfirdn2d(x, f, up=up, padding=pad, gain=up * up)
    if down > 1 and up == 1:
        x = upfirdn2d(x, f, padding=pad)
        return _conv(x, w, stride=down, groups=groups, flip_weight=flip_weight)
    if up > 1:
        if groups == 1:
            w = w.transpose(0, 1)
        else:
            w = w.reshape(groups, out_channels // groups, in_per_group, kh, kw).transpose(1, 2)
            w = w.reshape(groups * in_per_group, out_channels // groups, kh, kw)
        px0, px1, py0, py1 = px0 - (kw - 1), px1 - (kw - up), py0 - (kh - 1), py1 - (kh - up)
        pxt, pyt = max(min(-px0, -px1), 0), max(min(-py0, -py1), 0)
        x = _conv(
            x, w, stride=up, padding=(pyt, pxt), groups=groups, transpose=True, flip_weight=not flip_weight
        )
        x = upfirdn2d(x, f, padding=[px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt], gain=up * up)
        return x if down == 1 else upfirdn2d(x, f, down=down)
    if px0 == px1 and py0 == py1 and px0 >= 0 and py0 >= 0:
        return _conv(x, w, padding=(py0, px0), groups=groups, flip_weight=flip_weight)
    x = upfirdn2d(x, None, padding=pad)
    return _conv(x, w, groups=groups, flip_weight=flip_weight)
