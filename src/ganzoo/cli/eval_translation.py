"""``ganzoo eval translation MODEL --data paired|unpaired ...``: one JSON line with FID (and, for paired data,
L1 / PSNR / SSIM) of a translation model on a test split, and the protocol that produced them.

torch and the model code are imported after the arguments are parsed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any

from ganzoo.cli import RANK_DEFICIENT, CommandError, show_once
from ganzoo.cli.options import DATA_DIR_HELP, DEVICE_HELP, MODEL_HELP, default_device


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganzoo eval translation",
        description="Translate every input image of a split once and print one JSON line: FID against the "
        "target domain's real images (standard 2015-12-05 Inception) and, for paired data, L1 / PSNR / SSIM.",
    )
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("--data", required=True, choices=["paired", "unpaired"], help="the data's layout")
    p.add_argument("--dataset", help="official name (facades, horse2zebra ...): default folder and download")
    p.add_argument("--data-dir", help=DATA_DIR_HELP.replace("<name>", "<dataset>"))
    p.add_argument("--direction", default="AtoB", choices=["AtoB", "BtoA"], help="which stored side is input")
    p.add_argument("--split", help="default: test when the data has one, else val")
    p.add_argument("--image-size", type=int, help="resize images to this (default: the model's image_size)")
    p.add_argument(
        "--eval-mode",
        action="store_true",
        help="run the generator with running statistics and no dropout (the authors' test.py --eval); by "
        "default it runs as their test.py does without --eval: batch statistics, dropout on",
    )
    p.add_argument("--no-fid", action="store_true", help="paired metrics only (no Inception)")
    p.add_argument("--download", action="store_true", help="fetch the official archive when data is missing")
    p.add_argument("--seed", type=int, default=0, help="seed of the dropout noise (default: 0)")
    p.add_argument("--device", help=DEVICE_HELP)
    p.add_argument("--weights", help="Inception weights file (default: found or fetched)")
    p.add_argument("--model-class", help="class path for a .ckpt not written by `ganzoo fit`")
    return p


def translator(model: Any, direction: str, eval_mode: bool) -> Callable[[Any], Any]:
    """``model.translate`` in the data's direction when the model translates both ways (a trained
    CycleGAN); a one-way model (pix2pix, a published CycleGAN generator) translates its own way."""
    way = direction if len(model.directions) > 1 else None
    return lambda x: model.translate(x, way, eval_mode=eval_mode)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from ganzoo import data
    from ganzoo.hub.load import load
    from ganzoo.metrics.extractor import standard_inception
    from ganzoo.metrics.translation import evaluate_translation
    from ganzoo.models.capabilities import Translator

    args.device = args.device or default_device()
    model = load(args.model, device=args.device, model_class=args.model_class)
    if not isinstance(model, Translator):
        raise CommandError(f"{args.model} is a {type(model).__name__}, which does not translate images")
    size = args.image_size or model.image_size
    kwargs: dict[str, Any] = {"direction": args.direction, "load_size": size, "crop_size": size}
    kwargs.update(download=args.download, dataset=args.dataset, data_dir=args.data_dir)
    datamodule = data.create(args.data, **kwargs)
    split = args.split or ("test" if "test" in datamodule.splits else datamodule.eval_split())
    torch.manual_seed(args.seed)
    result = evaluate_translation(
        translator(model, args.direction, args.eval_mode),
        datamodule,
        split,
        extractor=None if args.no_fid else standard_inception(args.weights),
        fid=not args.no_fid,
        device=args.device,
    )
    protocol = result.pop("protocol")
    protocol["generator_mode"] = (
        "eval (running statistics, no dropout)"
        if args.eval_mode
        else "train (batch statistics, dropout on), as the authors' test.py without --eval"
    )
    protocol["seed"] = args.seed
    return {**result, "model": args.model, "protocol": protocol}


def main(argv: Sequence[str]) -> int:
    """Entry point of ``ganzoo eval translation``; ``argv`` excludes ``eval translation``."""
    args = build_parser().parse_args(list(argv))
    with show_once(RANK_DEFICIENT):  # the same advice for the real and the translated side
        result = run(args)
    print(json.dumps(result))
    return 0
