"""``ganzoo translate``: translate image files with an image-to-image model.

torch and the model code are imported after the arguments are parsed and the inputs found.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ganzoo.cli import CommandError
from ganzoo.cli.options import MODEL_HELP


def cmd_translate(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo translate",
        description="Translate images with an image-to-image model (pix2pix, CycleGAN, StarGAN, BicycleGAN).",
    )
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files")
    p.add_argument("-o", "--output", required=True, help="output image (one input) or folder (several)")
    p.add_argument("--direction", choices=["AtoB", "BtoA"], help="CycleGAN only; default AtoB")
    p.add_argument(
        "--eval",
        action="store_true",
        default=None,
        help="running batch-norm statistics and no dropout; by default the network runs as its authors' "
        "test script does (pix2pix: statistics of the input, dropout on; BicycleGAN: eval mode)",
    )
    p.add_argument("--seed", type=int, default=0, help="seeds the dropout noise and the latent codes")
    p.add_argument(
        "--samples",
        type=int,
        metavar="K",
        help="multimodal models (BicycleGAN): write K translations of each input, one per latent code, "
        "as one row of a grid",
    )
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
    if args.samples is not None and args.samples < 1:
        raise CommandError(f"--samples must be >= 1, got {args.samples}")
    inputs = [Path(i) for i in args.inputs]
    for path in inputs:
        if not path.is_file():
            raise CommandError(f"input image {path} does not exist")

    import torch
    from PIL import Image

    from ganzoo.hub.load import load
    from ganzoo.images import save_image_grid
    from ganzoo.models.capabilities import MultimodalTranslator, Translator

    model = load(args.model)
    if not isinstance(model, Translator):
        raise CommandError(f"{args.model} is not an image-to-image model; use `ganzoo sample` instead")
    if args.samples is not None and not isinstance(model, MultimodalTranslator):
        raise CommandError(
            f"{args.model} maps each input to one output, so --samples does not apply; it is for multimodal "
            "models such as BicycleGAN"
        )
    if args.source_attr and not args.attr:
        raise CommandError("--source-attr completes --attr: give the target attributes with --attr NAME=0|1")
    options = {"target": dict(args.attr), "source": dict(args.source_attr)} if args.attr else {}
    if args.eval is not None:
        options["eval_mode"] = True
    output = Path(args.output)
    single = len(inputs) == 1 and output.suffix != ""
    for path in inputs:
        torch.manual_seed(args.seed)
        target = output if single else output / f"{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            try:
                if args.samples is not None:
                    grid = model.translate_samples(image, args.samples, seed=args.seed)
                    save_image_grid(grid, target, args.samples)
                else:
                    model.translate(image, args.direction, **options).save(target)
            except (TypeError, ValueError) as err:
                raise CommandError(f"{args.model}: {err}") from err
        print(f"{path} -> {target}")
    return 0


def _attribute(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep or not name or value not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"expected NAME=0 or NAME=1 (e.g. Blond_Hair=1), got {text!r}")
    return name, int(value)
