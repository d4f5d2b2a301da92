"""The ``ganzoo`` and ``lightning`` commands.

``fit`` / ``validate`` / ``test`` are a LightningCLI over every ``GANModule`` and every registered DataModule,
so a zoo card is a plain LightningCLI config and ``--model DCGAN --data mnist`` work as short names.
``list``, ``sample``, ``interpolate``, ``translate``, ``eval`` and ``demo`` are the zoo's own sub-commands.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.resources
import inspect
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from lightning.pytorch.cli import LightningCLI

from ganzoo import data, models
from ganzoo.callbacks import GANProgressBar, SampleGrid
from ganzoo.cards import find_card, list_cards
from ganzoo.catalog import CATALOG, list_models
from ganzoo.data.base import GANDataModule
from ganzoo.images import save_image_grid
from ganzoo.models.base import GANModule
from ganzoo.models.conditional import ConditionalGANModule


class GanzooCLI(LightningCLI):
    """LightningCLI with the sample-grid callback always configured (``--sample_grid.num_samples`` etc.)."""

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_lightning_class_args(SampleGrid, "sample_grid")


def _model_classes() -> dict[str, type[GANModule]]:
    return {name: getattr(models, name) for name in models.__all__ if name != "GANModule"}


def _resolve(option: str, names: dict[str, str], value: str) -> str:
    """Map a short name (any case, underscores optional) to a class path; a dotted name is one already."""
    if "." in value or value.startswith("{"):
        return value

    def fold(name: str) -> str:
        return name.lower().replace("_", "")

    by_folded = {fold(k): k for k in names}
    if fold(value) in by_folded:
        return names[by_folded[fold(value)]]
    close = [by_folded[c] for c in difflib.get_close_matches(fold(value), list(by_folded), n=3, cutoff=0.5)]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise SystemExit(f"error: unknown {option} {value!r}.{hint} Choose from: {', '.join(sorted(names))}.")


def expand_short_names(args: Sequence[str]) -> list[str]:
    """Rewrite ``--model DCGAN`` / ``--data mnist`` (and the ``=`` forms) to full class paths."""
    model_names = {name: f"ganzoo.models.{name}" for name in _model_classes()}
    data_names = {
        name: f"{cls.__module__}.{cls.__qualname__}" for name in data.available() for cls in [data.get(name)]
    }
    tables = {"--model": ("model", model_names), "--data": ("dataset", data_names)}
    out, i = [], 0
    args = list(args)
    while i < len(args):
        arg = args[i]
        key, eq, value = arg.partition("=")
        if key in tables and eq:
            out.append(f"{key}={_resolve(*tables[key], value)}")
        elif key in tables and i + 1 < len(args):
            out += [key, _resolve(*tables[key], args[i + 1])]
            i += 1
        else:
            out.append(arg)
        i += 1
    return out


def check_configs(args: Sequence[str]) -> None:
    """Fail early, naming the file, when a ``-c/--config`` file is missing or not YAML."""
    for flag, value in itertools.pairwise(args):
        if flag not in ("-c", "--config"):
            continue
        path = Path(value)
        if not path.is_file():
            raise SystemExit(
                f"error: config file {path} does not exist (see `ganzoo list` for the zoo cards)"
            )
        try:
            yaml.safe_load(path.read_text())
        except yaml.YAMLError as err:
            raise SystemExit(f"error: {path} is not valid YAML: {err}") from None


def run_cli(args: Sequence[str], prog: str = "ganzoo") -> GanzooCLI:
    """Run a LightningCLI sub-command (``fit``, ``validate``, ``test``) and return the CLI object."""
    check_configs(args)
    return GanzooCLI(
        GANModule,
        GANDataModule,
        subclass_mode_model=True,
        subclass_mode_data=True,
        auto_configure_optimizers=False,
        trainer_defaults={"callbacks": [GANProgressBar()]},
        save_config_kwargs={"overwrite": True},
        parser_kwargs={"prog": prog},
        args=expand_short_names(args),
    )


# --- the zoo's own sub-commands -------------------------------------------------------------------


def _summary(cls: type) -> str:
    """The first line of the docstring of the module that defines ``cls`` (the paper or dataset it is)."""
    doc = inspect.getmodule(cls).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def cmd_list(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(
        prog="ganzoo list", description="Papers, zoo cards, pretrained weights and datasets."
    ).parse_args(argv)
    print("Papers (--model NAME):")
    for name, cls in sorted(_model_classes().items()):
        print(f"  {name:<10} {_summary(cls)}")
    print("\nZoo cards (ganzoo fit -c zoo_cards/NAME.yaml):")
    for card in list_cards():
        print(f"  {card.stem:<20} {card}")
    print("\nPretrained weights (ganzoo.load(NAME), ganzoo sample NAME):")
    for name in list_models(pretrained=True):
        print(f"  {name:<20} {CATALOG[name].paper}")
    print("\nDatasets (--data NAME):")
    for name in data.available():
        print(f"  {name:<14} {_summary(data.get(name))}")
    return 0


_MODEL_HELP = "a zoo name, a Lightning .ckpt, or a folder with config.json + model.safetensors"


def _class_list(values: Sequence[str] | None) -> list[int | str] | None:
    """``--class`` values (repeated and/or comma-separated) as indices and names."""
    if not values:
        return None
    items = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return [int(item) if item.isdigit() else item for item in items]


def _conditioning(model: GANModule, classes: list[int | str] | None, truncation: float | None) -> dict:
    """``sample()`` keywords for --class / --truncation, refused by name for models that take neither."""
    if classes is None and truncation is None:
        return {}
    if not isinstance(model, ConditionalGANModule):
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
    from ganzoo.hub import load

    classes = _class_list(args.classes)
    if classes is not None and args.num_samples % len(classes):
        raise SystemExit(
            f"error: -n {args.num_samples} is not a multiple of the {len(classes)} classes given"
        )
    model = load(args.model)
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
    from ganzoo.hub import load
    from ganzoo.interpolate import interpolate, save_interpolation

    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        raise SystemExit(f"error: --seeds must be a comma list of integers, got {args.seeds!r}") from None
    classes = _class_list(args.classes)
    model = load(args.model)
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


def cmd_translate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo translate",
        description="Translate images with an image-to-image model (pix2pix, CycleGAN).",
    )
    p.add_argument("model", help="a zoo name (e.g. pix2pix-facades), a .ckpt, or a save_pretrained folder")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files")
    p.add_argument("-o", "--output", required=True, help="output image (one input) or folder (several)")
    p.add_argument("--direction", choices=["AtoB", "BtoA"], help="CycleGAN only; default AtoB")
    p.add_argument(
        "--eval",
        action="store_true",
        help="running batch-norm statistics and no dropout; by default the network runs as the authors' "
        "test script does without --eval (statistics of the input, dropout on)",
    )
    p.add_argument("--seed", type=int, default=0, help="seeds the dropout noise")
    args = p.parse_args(argv)
    import torch
    from PIL import Image

    from ganzoo.hub import load

    model = load(args.model)
    if not callable(getattr(model, "translate", None)):
        raise SystemExit(f"error: {args.model} is not an image-to-image model; use `ganzoo sample` instead")
    output = Path(args.output)
    single = len(args.inputs) == 1 and output.suffix != ""
    for path in map(Path, args.inputs):
        if not path.is_file():
            raise SystemExit(f"error: input image {path} does not exist")
        torch.manual_seed(args.seed)
        with Image.open(path) as image:
            result = model.translate(image, args.direction, eval_mode=args.eval)
        target = output if single else output / f"{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        result.save(target)
        print(f"{path} -> {target}")
    return 0


def cmd_eval(argv: Sequence[str]) -> int:
    from ganzoo.metrics.eval_cli import main as eval_main

    return eval_main(list(argv))


def demo_data_dir() -> Path:
    """The 10k-image MNIST subset that ships inside the package."""
    return Path(str(importlib.resources.files("ganzoo.data") / "assets" / "mnist_demo"))


def cmd_demo(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="ganzoo demo", description="Train DCGAN on MNIST for a few CPU minutes.")
    p.add_argument("--minutes", type=float, default=3.0, help="training time budget")
    p.add_argument("--out", default="runs/demo", help="run directory")
    args = p.parse_args(argv)
    seconds = int(args.minutes * 60)
    start = time.time()
    cli = run_cli(
        [
            "fit",
            "-c",
            str(find_card("dcgan_mnist")),
            "--data.data_dir",
            str(demo_data_dir()),
            "--data.download",
            "false",
            "--trainer.max_epochs",
            "1000",
            "--trainer.max_time",
            f"00:00:{seconds // 60:02d}:{seconds % 60:02d}",
            "--trainer.default_root_dir",
            args.out,
            "--seed_everything",
            "0",
        ]
    )
    trainer, module = cli.trainer, cli.model
    ckpt = trainer.checkpoint_callback.last_model_path or trainer.checkpoint_callback.best_model_path
    grid = next(cb for cb in trainer.callbacks if isinstance(cb, SampleGrid)).last_path
    losses = {
        k: round(float(v), 4)
        for k, v in trainer.callback_metrics.items()
        if k in ("train/d_loss", "train/g_loss")
    }
    print(
        f"\nDemo finished in {time.time() - start:.0f} s: {int(module.num_g_steps)} generator steps, "
        f"{trainer.current_epoch} epochs, final losses {losses}"
    )
    print(f"checkpoint:  {ckpt}")
    print(f"sample grid: {grid}")
    return 0


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "list": cmd_list,
    "sample": cmd_sample,
    "interpolate": cmd_interpolate,
    "translate": cmd_translate,
    "eval": cmd_eval,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None, prog: str = "ganzoo") -> int:
    """Entry point of the ``ganzoo`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    run_cli(argv, prog)
    return 0


def lightning_main() -> int:
    """Entry point of the ``lightning`` command: the same CLI, under the name users type."""
    return main(prog="lightning")
