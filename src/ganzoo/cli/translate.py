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
        description="Translate images with an image-to-image model (pix2pix, CycleGAN, BicycleGAN).",
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
    options = {} if args.eval is None else {"eval_mode": True}
    output = Path(args.output)
    single = len(inputs) == 1 and output.suffix != ""
    for path in inputs:
        torch.manual_seed(args.seed)
        target = output if single else output / f"{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            if args.samples is not None:
                save_image_grid(
                    model.translate_samples(image, args.samples, seed=args.seed), target, args.samples
                )
            else:
                model.translate(image, args.direction, **options).save(target)
        print(f"{path} -> {target}")
    return 0
