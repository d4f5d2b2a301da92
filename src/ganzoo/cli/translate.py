"""``ganzoo translate``: translate image files with an image-to-image model.

torch and the model code are imported after the arguments are parsed and the inputs found.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ganzoo.cli.errors import CommandError
from ganzoo.cli.options import MODEL_HELP


def cmd_translate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo translate",
        description="Translate images with an image-to-image model (pix2pix, CycleGAN).",
    )
    p.add_argument("model", help=MODEL_HELP)
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
    inputs = [Path(i) for i in args.inputs]
    for path in inputs:
        if not path.is_file():
            raise CommandError(f"input image {path} does not exist")

    import torch
    from PIL import Image

    from ganzoo.hub.load import load
    from ganzoo.models.capabilities import Translator

    model = load(args.model)
    if not isinstance(model, Translator):
        raise CommandError(f"{args.model} is not an image-to-image model; use `ganzoo sample` instead")
    output = Path(args.output)
    single = len(inputs) == 1 and output.suffix != ""
    for path in inputs:
        torch.manual_seed(args.seed)
        with Image.open(path) as image:
            result = model.translate(image, args.direction, eval_mode=args.eval)
        target = output if single else output / f"{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        result.save(target)
        print(f"{path} -> {target}")
    return 0
