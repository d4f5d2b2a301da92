"""``ganzoo sample`` and ``ganzoo interpolate``: grids (and GIFs) from a model that samples.

torch and the model code are imported after the arguments are parsed, so a mistyped option answers at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ganzoo.cli import CommandError
from ganzoo.cli.options import MODEL_HELP, positive_int


def load_sampler(name: str) -> Any:
    """The model ``name``, refused when it does not sample (an image-to-image model)."""
    from ganzoo.hub.load import load
    from ganzoo.models.capabilities import Sampler

    model = load(name)
    if not isinstance(model, Sampler):
        raise CommandError(f"{name} is an image-to-image model; use `ganzoo translate` instead")
    return model


def _class_list(values: Sequence[str] | None) -> list[int | str] | None:
    """``--class`` values (repeated and/or comma-separated) as indices and names."""
    if not values:
        return None
    items = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return [int(item) if item.isdigit() else item for item in items]


def _conditioning(model: Any, classes: list[int | str] | None, truncation: float | None) -> dict:
    """``sample()`` keywords for --class / --truncation, refused by name for models that take neither."""
    if classes is None and truncation is None:
        return {}
    if not {"classes", "truncation"} <= set(model.sample_conditions()):
        raise CommandError(f"{type(model).__name__} is unconditional; it takes no --class or --truncation")
    return {"truncation": truncation}


def _add_conditions(p: argparse.ArgumentParser, class_help: str) -> None:
    p.add_argument("--class", dest="classes", action="append", metavar="NAME_OR_INDEX", help=class_help)
    p.add_argument("--truncation", type=float, help="truncation in (0, 1] of conditional models' latents")


def cmd_sample(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="ganzoo sample", description="Write a grid of samples from a model.")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("-n", "--num-samples", type=positive_int, default=64, help="images (default: 64)")
    p.add_argument("-o", "--output", default="samples.png", help="the PNG grid (default: samples.png)")
    p.add_argument("--seed", type=int, default=0)
    _add_conditions(
        p,
        "class of a conditional model, by name or index; repeat it or give a comma list for one grid row per "
        "class (-n must then be a multiple of the number of classes); default: random classes",
    )
    args = p.parse_args(argv)
    classes = _class_list(args.classes)
    if classes is not None and args.num_samples % len(classes):
        raise CommandError(f"-n {args.num_samples} is not a multiple of the {len(classes)} classes given")
    model = load_sampler(args.model)
    kwargs = _conditioning(model, classes, args.truncation)
    nrow = None
    if classes is not None:
        per_class = args.num_samples // len(classes)
        kwargs["classes"] = [c for c in classes for _ in range(per_class)]
        nrow = per_class if len(classes) > 1 else None
    images = model.sample(args.num_samples, seed=args.seed, **kwargs)

    from ganzoo.images import save_image_grid

    path = save_image_grid(images, args.output, nrow=nrow)
    print(f"wrote {args.num_samples} samples to {path}")
    return 0


def cmd_interpolate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo interpolate",
        description="Walk the latent space between seeds (and classes): a PNG grid of the frames and a GIF.",
    )
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("-o", "--output", default="interpolation.png", help="the PNG grid of all frames")
    p.add_argument("--gif", help="also write the frames as a looping GIF here (small images upscaled)")
    p.add_argument("--frames", type=positive_int, default=16, help="number of images along the path")
    p.add_argument("--seeds", default="0,1", help="comma list of seeds, one keyframe latent each")
    _add_conditions(p, "one class for the whole path, or one per seed to move between classes (BigGAN-deep)")
    p.add_argument("--mode", choices=("slerp", "lerp"), default="slerp")
    p.add_argument("--frame-ms", type=positive_int, default=80, help="GIF frame duration in milliseconds")
    args = p.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        p.error(f"--seeds must be a comma list of integers, got {args.seeds!r}")
    classes = _class_list(args.classes)
    model = load_sampler(args.model)
    _conditioning(model, classes, args.truncation)

    from ganzoo.interpolate import interpolate, save_interpolation

    frames = interpolate(
        model, args.frames, seeds=seeds, classes=classes, truncation=args.truncation, mode=args.mode
    )
    grid, gif = save_interpolation(frames, args.output, args.gif, frame_ms=args.frame_ms)
    print(f"wrote {args.frames} frames to {grid}" + (f" and {gif}" if gif else ""))
    return 0
