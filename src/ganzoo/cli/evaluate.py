"""``ganzoo eval fid|is|kid MODEL_OR_CKPT --data NAME``: one JSON line with the value and its protocol.

``ganzoo eval translation MODEL --data paired|unpaired ...`` measures image-to-image models.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from ganzoo import data
from ganzoo.hub.load import load
from ganzoo.metrics.evaluate import evaluate
from ganzoo.metrics.extractor import FeatureExtractor, as_extractor
from ganzoo.metrics.inception import standard_inception
from ganzoo.metrics.reference import reference_stats
from ganzoo.metrics.stats import FeatureStats
from ganzoo.metrics.suite import METRICS, GenerativeMetrics


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganzoo eval",
        description="Measure FID, IS or KID of a model's samples with the standard 2015-12-05 Inception "
        "and print one JSON line: the value and the full protocol. Image-to-image models: "
        "`ganzoo eval translation -h`.",
    )
    p.add_argument("metric", choices=METRICS)
    p.add_argument("model", help="catalog name, model folder, Lightning .ckpt or hf://owner/repo")
    p.add_argument(
        "--data", help="reference dataset name (ganzoo.data.available()) or a pytorch-fid/clean-fid .npz"
    )
    p.add_argument("--data-dir", help="where the dataset's files are (default: $GANZOO_DATA/<name>)")
    p.add_argument("--split", default="train", help="reference split (default: train)")
    p.add_argument("--num-samples", type=int, default=10_000, help="generated images (default: 10000)")
    p.add_argument("--reference-samples", type=int, help="real images to use (default: the whole split)")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--seed", type=int, default=0, help="seed of the latents (default: 0)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument(
        "--weights", help="Inception weights file (default: found or fetched, see ganzoo.hub.inception)"
    )
    p.add_argument("--model-class", help="class path for a .ckpt not written by `ganzoo fit`")
    p.add_argument("--is-splits", type=int, default=10)
    p.add_argument("--kid-subsets", type=int, default=100)
    p.add_argument("--kid-subset-size", type=int, default=1000)
    return p


def main(argv: Sequence[str]) -> int:
    """Entry point of ``ganzoo eval``; ``argv`` excludes the word ``eval``."""
    if argv and argv[0] == "translation":  # image-to-image models have their own metrics and options
        from ganzoo.cli.eval_translation import main as translation_main

        return translation_main(argv[1:])
    args = build_parser().parse_args(list(argv))
    try:
        result = run(args)
    except (ValueError, LookupError, OSError) as err:
        print(f"ganzoo eval: error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.metric != "is" and not args.data:
        raise ValueError(f"{args.metric} compares with real data: pass --data NAME (or a statistics .npz)")
    model = load(args.model, device=args.device, model_class=args.model_class)
    extractor = as_extractor(standard_inception(args.weights)).to(args.device)
    reference = None if args.metric == "is" else _reference(args, model, extractor)
    suite = GenerativeMetrics(
        reference,
        extractor,
        [args.metric],
        is_splits=args.is_splits,
        kid_subsets=args.kid_subsets,
        kid_subset_size=args.kid_subset_size,
        seed=args.seed,
    ).to(args.device)
    result = evaluate(model, suite, args.num_samples, batch_size=args.batch_size, seed=args.seed)
    out: dict[str, Any] = {"metric": args.metric, "value": result[args.metric]}
    if f"{args.metric}_std" in result:
        out["std"] = result[f"{args.metric}_std"]
    return {**out, "model": args.model, "protocol": result["protocol"]}


def _reference(args: argparse.Namespace, model: Any, extractor: FeatureExtractor) -> FeatureStats:
    if args.data.endswith(".npz"):
        if not Path(args.data).is_file():
            raise FileNotFoundError(f"no statistics file at {args.data}")
        return FeatureStats.load(args.data)
    image_size = model.sample(1, seed=args.seed).shape[-1]
    kwargs: dict[str, Any] = {"image_size": image_size}
    if args.data_dir:
        kwargs["data_dir"] = args.data_dir
    datamodule = data.create(args.data, **kwargs)
    return reference_stats(
        datamodule,
        args.split,
        extractor=extractor,
        num_samples=args.reference_samples,
        kid_features=max(args.kid_subset_size, 10_000),
        batch_size=args.batch_size,
    )
