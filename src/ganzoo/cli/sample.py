"""``ganzoo sample`` and ``ganzoo interpolate``: grids (and GIFs) from a model that samples."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ganzoo.hub.load import load
from ganzoo.images import save_image_grid
from ganzoo.interpolate import interpolate, save_interpolation
from ganzoo.models.capabilities import Sampler


def load_sampler(name: str) -> Sampler:
    """The model ``name``, refused when it does not sample (an image-to-image model)."""
    model = load(name)
    if not isinstance(model, Sampler):
        raise SystemExit(f"error: {name} is an image-to-image model; use `ganzoo translate` instead")
    return model


_MODEL_HELP = "a zoo name, a Lightning .ckpt, or a folder with config.json + model.safetensors"


def _class_list(values: Sequence[str] | None) -> list[int | str] | None:
    """``--class`` values (repeated and/or comma-separated) as indices and names."""
    if not values:
        return None
    items = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return [int(item) if item.isdigit() else item for item in items]


def _conditioning(model: Sampler, classes: list[int | str] | None, truncation: float | None) -> dict:
    """``sample()`` keywords for --class / --truncation, refused by name for models that take neither."""
    if classes is None and truncation is None:
        return {}
    if not {"classes", "truncation"} <= set(model.sample_conditions()):
        raise SystemExit(
            f"error: {type(model).__name__} is unconditional; it takes no --class or --truncation"
        )
    return {"truncation": truncation}


def cmd_sample(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="ganzoo sample", description="Write a grid of samples from a model.")
    p.add_argument("model", help=_MODEL_HELP)
    p.add_argument("-n", "--num-samples", type=int, default=64)
    p.add_argument("-o", "--output", default="samples.png")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--class",
        dest="classes",
        action="append",
        metavar="NAME_OR_INDEX",
        help="class of a conditional model, by name or index; repeat it or give a comma list for one grid "
        "row per class (-n must then be a multiple of the number of classes); default: random classes",
    )
    p.add_argument("--truncation", type=float, help="truncation in (0, 1] of conditional models' latents")
    args = p.parse_args(argv)
    classes = _class_list(args.classes)
    if classes is not None and args.num_samples % len(classes):
        raise SystemExit(
            f"error: -n {args.num_samples} is not a multiple of the {len(classes)} classes given"
        )
    model = load_sampler(args.model)
    kwargs = _conditioning(model, classes, args.truncation)
    nrow = None
    if classes is not None:
        per_class = args.num_samples // len(classes)
        kwargs["classes"] = [c for c in classes for _ in range(per_class)]
        nrow = per_class if len(classes) > 1 else None
    try:
        images = model.sample(args.num_samples, seed=args.seed, **kwargs)
    except ValueError as err:  # an unknown class name, a truncation out of range, ...
        raise SystemExit(f"error: {err}") from None
    path = save_image_grid(images, args.output, nrow=nrow)
    print(f"wrote {args.num_samples} samples to {path}")
    return 0


def cmd_interpolate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo interpolate",
        description="Walk the latent space between seeds (and classes): a PNG grid of the frames and a GIF.",
    )
    p.add_argument("model", help=_MODEL_HELP)
    p.add_argument("-o", "--output", default="interpolation.png", help="the PNG grid of all frames")
    p.add_argument("--gif", help="also write the frames as a looping GIF here")
    p.add_argument("--frames", type=int, default=16, help="number of images along the path")
    p.add_argument("--seeds", default="0,1", help="comma list of seeds, one keyframe latent each")
    p.add_argument(
        "--class",
        dest="classes",
        action="append",
        metavar="NAME_OR_INDEX",
        help="one class for the whole path, or one per seed to move between classes (BigGAN-deep)",
    )
    p.add_argument("--truncation", type=float, help="truncation in (0, 1] of conditional models' latents")
    p.add_argument("--mode", choices=("slerp", "lerp"), default="slerp")
    p.add_argument("--frame-ms", type=int, default=80, help="GIF frame duration in milliseconds")
    args = p.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        raise SystemExit(f"error: --seeds must be a comma list of integers, got {args.seeds!r}") from None
    classes = _class_list(args.classes)
    model = load_sampler(args.model)
    _conditioning(model, classes, args.truncation)
    try:
        frames = interpolate(
            model, args.frames, seeds=seeds, classes=classes, truncation=args.truncation, mode=args.mode
        )
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None
    grid, gif = save_interpolation(frames, args.output, args.gif, frame_ms=args.frame_ms)
    print(f"wrote {args.frames} frames to {grid}" + (f" and {gif}" if gif else ""))
    return 0
