"""Latent interpolation: walk a generator's latent space between seeds (and classes), as a grid and a GIF.

The path visits one keyframe per seed. z moves along great circles (``slerp``, the usual choice for Gaussian
latents: a straight line through the origin's neighbourhood has atypically small norm) or straight lines
(``lerp``). For class-conditional models whose generator embeds class vectors linearly (BigGAN-deep), the
class also moves, as a mixture of the keyframes' one-hot vectors; with one class, it stays fixed. StyleGAN
models walk W instead, on straight lines between the keyframes' (truncated) ws, as the StyleGAN papers do.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import torch
from PIL import Image
from torch import Tensor

from ganzoo.images import MIN_VIEW_SIZE, save_image_grid, to_grid, upscaled
from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.models.latent import LatentGANModule
from ganzoo.models.stylegan2 import StyleGAN2

Mode = Literal["slerp", "lerp"]


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """(1 - t) a + t b for each t in the 1-d ``t``: rows of the result follow ``t``."""
    t = t.reshape(-1, *([1] * a.dim())).to(a)
    return a + t * (b - a)


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation: the direction moves along the great circle from ``a`` to ``b`` and the norm
    linearly; ``lerp`` where the circle is undefined (a zero or (anti)parallel endpoint)."""
    a64, b64 = a.double().flatten(), b.double().flatten()
    norm_a, norm_b = a64.norm(), b64.norm()
    if norm_a == 0 or norm_b == 0:
        return lerp(a, b, t)
    omega = torch.arccos((a64 @ b64 / (norm_a * norm_b)).clamp(-1.0, 1.0))
    if torch.sin(omega) < 1e-4:
        return lerp(a, b, t)
    t = t.double().reshape(-1, 1).to(a64.device)
    direction = (torch.sin((1 - t) * omega) * a64 / norm_a + torch.sin(t * omega) * b64 / norm_b) / torch.sin(
        omega
    )
    return (direction * ((1 - t) * norm_a + t * norm_b)).reshape(-1, *a.shape).to(a.dtype)


def _keyframe_latents(model: LatentGANModule, seeds: Sequence[int], truncation: float | None) -> list[Tensor]:
    latents = []
    for seed in seeds:
        rng = torch.Generator(device=model.device).manual_seed(seed)
        if truncation is None:
            latents.append(model.sample_latent(1, generator=rng)[0])
        elif isinstance(model, ConditionalGANModule):
            latents.append(model.sample_latent(1, generator=rng, truncation=truncation)[0])
        else:
            raise ValueError(f"{type(model).__name__} samples without truncation; leave truncation=None")
    return latents


def _frame_counts(frames: int, legs: int) -> list[int]:
    """Frames of each leg (its end excluded: it is the next leg's start), as even as possible."""
    return [(frames - 1) // legs + (i < (frames - 1) % legs) for i in range(legs)]


def interpolate(
    model: LatentGANModule,
    frames: int,
    *,
    seeds: Sequence[int] = (0, 1),
    classes: Sequence[int | str] | None = None,
    truncation: float | None = None,
    mode: Mode = "slerp",
) -> Tensor:
    """``frames`` images in [-1, 1] along a path through one keyframe latent per seed.

    ``classes``: for conditional models, one class for the whole path or one per seed (the class moves
    between keyframes; this needs a generator that accepts class vectors). ``truncation`` draws the keyframe
    latents truncated and, for BigGAN-deep, picks its batch-norm statistics.
    """
    if len(seeds) < 2:
        raise ValueError(f"an interpolation needs at least two seeds (keyframes), got {list(seeds)}")
    if frames < len(seeds):
        raise ValueError(f"frames ({frames}) must be at least the number of seeds ({len(seeds)})")
    if mode not in ("slerp", "lerp"):
        raise ValueError(f"mode must be 'slerp' or 'lerp', got {mode!r}")
    step = slerp if mode == "slerp" else lerp
    legs = _frame_counts(frames, len(seeds) - 1)
    if isinstance(model, StyleGAN2):
        return _w_path(model, seeds, legs, classes, 1.0 if truncation is None else truncation)
    keys = _keyframe_latents(model, seeds, truncation)
    path = [
        step(a, b, torch.arange(n, device=a.device) / n)
        for (a, b), n in zip(itertools.pairwise(keys), legs, strict=True)
    ]
    z = torch.cat([*path, keys[-1][None]])
    if not isinstance(model, ConditionalGANModule):
        if classes is not None:
            raise ValueError(f"{type(model).__name__} is unconditional; it takes no classes")
        return model.sample(frames, z=z)
    return model.sample(
        frames, z=z, classes=_class_path(model, classes, len(seeds), legs), truncation=truncation
    )


def _w_path(
    model: StyleGAN2, seeds: Sequence[int], legs: list[int], classes: Sequence[int | str] | None, psi: float
) -> Tensor:
    """Images along straight lines in W between the keyframes' ws (truncated towards w_avg by ``psi``)."""
    z = torch.cat(
        [model.sample_latent(1, generator=torch.Generator(model.device).manual_seed(s)) for s in seeds]
    )
    labels = None if classes is None else model.resolve_classes(list(classes), len(seeds))
    keys = model.mapping(z, labels, psi)
    path = [
        lerp(a, b, torch.arange(n, device=a.device) / n)
        for (a, b), n in zip(itertools.pairwise(keys), legs, strict=True)
    ]
    return model.synthesis(torch.cat([*path, keys[-1:]]))


def _class_path(
    model: ConditionalGANModule, classes: Sequence[int | str] | None, keyframes: int, legs: list[int]
) -> Tensor | None:
    if classes is None:
        return None
    labels = model.resolve_classes(list(classes), len(classes))
    if len(set(labels.tolist())) == 1:
        return labels[:1]
    if len(labels) != keyframes:
        raise ValueError(
            f"give one class for the whole path or one per seed ({keyframes}), got {len(labels)}"
        )
    if not getattr(model.sampling_generator, "accepts_class_vectors", False):
        raise ValueError(
            f"{type(model).__name__}'s generator embeds class indices only, so the path cannot move between "
            "classes; give one class for the whole path"
        )
    onehot = torch.nn.functional.one_hot(labels, model.num_classes).to(model.dtype)
    path = [
        lerp(a, b, torch.arange(n, device=a.device) / n)
        for (a, b), n in zip(itertools.pairwise(onehot), legs, strict=True)
    ]
    return torch.cat([*path, onehot[-1:]])


def save_interpolation(
    images: Tensor, grid_path: str | Path, gif_path: str | Path | None = None, *, frame_ms: int = 80
) -> tuple[Path, Path | None]:
    """Write the frames as one PNG grid (row-major) and, if ``gif_path`` is given, as a looping GIF whose
    frames are enlarged (nearest-neighbour) to at least ``MIN_VIEW_SIZE`` pixels where they are smaller."""
    grid = save_image_grid(images, grid_path)
    if gif_path is None:
        return grid, None
    gif_path = Path(gif_path)
    gif_path.parent.mkdir(parents=True, exist_ok=True)
    frames = [
        Image.fromarray(
            (upscaled(to_grid(image[None], nrow=1, padding=0), MIN_VIEW_SIZE) * 255)
            .round()
            .byte()
            .permute(1, 2, 0)
            .numpy()
        )
        for image in images
    ]
    frames[0].save(gif_path, save_all=True, append_images=frames[1:], duration=frame_ms, loop=0)
    return grid, gif_path
