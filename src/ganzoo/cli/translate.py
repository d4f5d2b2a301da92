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
        description="Translate images with an image-to-image model (pix2pix, CycleGAN, StarGAN).",
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
    p.add_argument(
        "--attr",
        action="append",
        type=_attribute,
        default=[],
        metavar="NAME=0|1",
        help="StarGAN: a target attribute, repeated for each (e.g. --attr Blond_Hair=1 --attr Male=0)",
    )
    p.add_argument(
        "--source-attr",
        action="append",
        type=_attribute,
        default=[],
        metavar="NAME=0|1",
        help="StarGAN: an attribute of the input itself, for those --attr leaves out",
    )
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
    options = {"target": dict(args.attr), "source": dict(args.source_attr)} if args.attr else {}
    if args.source_attr and not args.attr:
        raise CommandError("--source-attr completes --attr: give the target attributes with --attr NAME=0|1")
    for path in inputs:
        torch.manual_seed(args.seed)
        with Image.open(path) as image:
            try:
                result = model.translate(image, args.direction, eval_mode=args.eval, **options)
            except (TypeError, ValueError) as err:
                raise CommandError(f"{args.model}: {err}") from err
        target = output if single else output / f"{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        result.save(target)
        print(f"{path} -> {target}")
    return 0


def _attribute(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name or value not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"expected NAME=0 or NAME=1 (e.g. Blond_Hair=1), got {text!r}")
    return name, int(value)
