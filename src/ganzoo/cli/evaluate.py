"""``ganzoo eval METRIC A [B]`` and ``ganzoo eval METRIC MODEL --data NAME``: one JSON line with the values
and their protocol.

METRIC is ``fid``, ``kid``, ``is``, ``prdc`` (precision, recall, density, coverage) or several joined by
commas (``fid,kid,prdc``): all from one pass of the extractor. A and B are folders of images, ``.npz``
statistics, dataset splits (``mnist:test``) or, for A only, a model (see ``ganzoo.cli.image_sets`` for how
each is recognised and sized). B is the reference: precision is the share of A inside B's manifold.
``ganzoo eval translation MODEL --data paired|unpaired ...`` measures image-to-image models.

FID compares two Gaussian estimates, so by default both come from the same number of images: the reference
statistics use as many real images as are generated (capped at the split's size), and the JSON protocol says
so. Before the Inception runs, the command prints on stderr what it will compute and about how long that
takes on this machine (timed on a few images), then shows a progress bar; stdout carries only the JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ganzoo.cli import RANK_DEFICIENT, CommandError, show_once
from ganzoo.cli.options import DATA_DIR_HELP, DEVICE_HELP, MODEL_HELP, default_device, positive_int

METRIC_NAMES = ("fid", "is", "kid", "prdc")
"""``METRICS + ON_REQUEST`` of ``ganzoo.metrics.suite``, named here so that parsing imports no torch."""
KID_SUBSET_SIZE = 1000
GRAMMAR = """\
A and B (B is the reference) are each, in this order of precedence: a .npz of statistics (ganzoo,
pytorch-fid or clean-fid: mu and sigma; KID and PRDC also need ganzoo's feature sample); a folder of images,
read recursively (.jpg .jpeg .png .bmp .webp .ppm .tif .tiff) in sorted order; a dataset split NAME[:SPLIT]
(ganzoo.data.available(), split default train, files in --data-dir); or, for A only, a model (a folder with
config.json + model.safetensors, a .ckpt, hf://owner/repo or a catalog name), sampled --num-samples times.
Both sides are compared at one size before the Inception's resize to 299x299: --image-size N resizes folders
(shorter side to N, bilinear with antialias, centre crop) and datasets to NxN; by default a folder keeps its
files' size (one size only), a dataset its native size (28x28 for MNIST) and a model its own; a dataset
compared with a model is resized to the model's size. Folder and dataset sides use all their images (B: a
random subset with --reference-samples); B's statistics are cached. The old form MODEL --data NAME --split S
is MODEL NAME:S."""

CALIBRATION_IMAGES = 8
BAR_DELAY = 0.5
"""Seconds before a progress bar appears: none for a cache hit."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganzoo eval",
        usage="ganzoo eval METRIC A [B] [options]   or   ganzoo eval METRIC MODEL --data NAME [options]",
        description="Measure FID, KID, IS or precision/recall/density/coverage (prdc) of a model's samples "
        "or of a set of images against another with the standard 2015-12-05 Inception, and print one JSON "
        "line: the values and the full protocol (what each side was, its size and resize, the extractor "
        "and its sha, the quantisation). What will be computed, an estimate of the time and a progress bar "
        "go to stderr. Image-to-image models: `ganzoo eval translation -h`.",
        epilog=GRAMMAR,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "metric",
        metavar="METRIC",
        type=metric_list,
        help=f"one of {', '.join(METRIC_NAMES)}, or several joined by commas (fid,kid,prdc)",
    )
    p.add_argument("model", metavar="A", help=f"the measured side (see below); a model is {MODEL_HELP}")
    p.add_argument("reference", metavar="B", nargs="?", help="the reference side (see below)")
    p.add_argument(
        "--data", help="reference dataset name (ganzoo.data.available()) or a pytorch-fid/clean-fid .npz"
    )
    p.add_argument(
        "--image-size",
        type=positive_int,
        help="compare A and B at NxN: folders and datasets are resized to it (default: each side's own "
        "size, which must agree; a dataset's native size, 28 for MNIST)",
    )
    p.add_argument("--data-dir", help=DATA_DIR_HELP)
    p.add_argument("--split", default="train", help="reference split (default: train)")
    p.add_argument(
        "--num-samples", type=positive_int, default=10_000, help="generated images (default: 10000)"
    )
    p.add_argument(
        "--reference-samples",
        type=positive_int,
        help="real images for the reference statistics (default: as many as --num-samples, at most the "
        "split's size; a random subset, seed 0)",
    )
    p.add_argument("--batch-size", type=positive_int, default=50)
    p.add_argument("--seed", type=int, default=0, help="seed of the latents (default: 0)")
    p.add_argument("--device", help=DEVICE_HELP)
    p.add_argument(
        "--weights", help="Inception weights file (default: found or fetched, see ganzoo.hub.inception)"
    )
    p.add_argument("--model-class", help="class path for a .ckpt not written by `ganzoo fit`")
    p.add_argument("--is-splits", type=positive_int, default=10)
    p.add_argument("--kid-subsets", type=positive_int, default=100)
    p.add_argument(
        "--kid-subset-size",
        type=positive_int,
        help=f"default: {KID_SUBSET_SIZE}; with B, at most the smaller side's number of images",
    )
    p.add_argument("--nearest-k", type=positive_int, default=5, help="k of prdc's k-NN balls (default: 5)")
    return p


def metric_list(text: str) -> list[str]:
    """An argparse type: ``fid`` or ``fid,kid,prdc``."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in METRIC_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown metric {', '.join(unknown) or repr(text)}: choose from {', '.join(METRIC_NAMES)}, or "
            "several joined by commas"
        )
    return list(dict.fromkeys(names))


def main(argv: Sequence[str]) -> int:
    """Entry point of ``ganzoo eval``; ``argv`` excludes the word ``eval``."""
    if argv and argv[0] == "translation":  # image-to-image models have their own metrics and options
        from ganzoo.cli.eval_translation import main as translation_main

        return translation_main(argv[1:])
    args = build_parser().parse_args(list(argv))
    with show_once(RANK_DEFICIENT):  # the same advice for the real and the generated side
        result = dispatch(args)
    print(json.dumps(result))
    return 0


def dispatch(args: argparse.Namespace) -> dict[str, Any]:
    """Two sides (``A B``) -> ``run_pair``; a model and ``--data`` (or IS of a model alone) -> ``run``."""
    if args.reference is not None:
        if args.data:
            raise CommandError("pass the reference either as B or with --data, not both")
        return run_pair(args)
    if args.data or args.metric != ["is"]:
        return run(args)
    from ganzoo.cli.image_sets import resolve

    return run(args) if resolve(args.model).kind == "model" else run_pair(args)


def run(args: argparse.Namespace) -> dict[str, Any]:
    names = args.metric
    label = ",".join(names)
    needs_reference = names != ["is"]
    if needs_reference and not args.data:
        raise CommandError(
            f"{label} compares with real data: pass --data NAME (or a statistics .npz), or a second set: "
            f"ganzoo eval {label} {args.model} B"
        )
    statistics = needs_reference and args.data.endswith(".npz")
    if statistics and not Path(args.data).is_file():
        raise CommandError(f"no statistics file at {args.data}")
    from ganzoo.hub.load import load
    from ganzoo.metrics.extractor import as_extractor, standard_inception
    from ganzoo.metrics.stats import FeatureStats, reference_stats
    from ganzoo.metrics.suite import GenerativeMetrics, evaluate

    device = args.device or default_device()
    model = load(args.model, device=device, model_class=args.model_class)
    extractor = as_extractor(standard_inception(args.weights)).to(device)
    per_image = seconds_per_image(model, extractor, args.seed)
    seconds = per_image["generated"] * args.num_samples
    plan = f"{label.upper()} of {args.num_samples} images generated by {args.model}"
    real, rule, reference = None, None, None
    if statistics:
        reference, rule = FeatureStats.load(args.data), f"from {args.data}"
        plan += f" against the statistics in {args.data}"
    elif needs_reference:
        real, n, total, rule = _real_images(args, model)
        seconds += per_image["real"] * n
        plan += (
            f" against {n} of the {total} images of {args.data}/{args.split} at {real.image_size}x"
            f"{real.image_size} ({rule}; their statistics are cached for later runs)"
        )
    say(f"{plan}, standard Inception on {device}: about {duration(seconds)}")
    if real is not None:
        with progress(extractor, n, "real"):
            reference = reference_stats(
                real,
                args.split,
                extractor=extractor,
                num_samples=n,
                kid_features=max(args.kid_subset_size or KID_SUBSET_SIZE, 10_000),
                batch_size=args.batch_size,
            )
        rule = f"{n} ({rule})"
    suite = GenerativeMetrics(
        reference,
        extractor,
        names,
        is_splits=args.is_splits,
        kid_subsets=args.kid_subsets,
        kid_subset_size=args.kid_subset_size or KID_SUBSET_SIZE,
        seed=args.seed,
        nearest_k=args.nearest_k,
    ).to(device)
    with progress(extractor, args.num_samples, "generated"):
        result = evaluate(model, suite, args.num_samples, batch_size=args.batch_size, seed=args.seed)
    protocol = result.pop("protocol")
    if rule is not None:
        protocol["reference_num_samples"] = rule
    if real is not None:
        protocol["reference_resize"] = real.resize
    return {**values_of(names, result), "model": args.model, "protocol": protocol}


def values_of(names: list[str], values: dict[str, float]) -> dict[str, Any]:
    """``metric`` and, for one scalar metric, ``value`` (and ``std``); always ``values``: every number."""
    out: dict[str, Any] = {"metric": ",".join(names)}
    if len(names) == 1 and names[0] in values:
        out["value"] = values[names[0]]
        if f"{names[0]}_std" in values:
            out["std"] = values[f"{names[0]}_std"]
    return {**out, "values": values}


def _real_images(args: argparse.Namespace, model: Any) -> tuple[Any, int, int, str]:
    """The reference split at the model's size (as ``reference_stats`` reads it), how many of its images to
    use, how many it has, and how that count was chosen."""
    from ganzoo.cli.image_sets import Side, prepare_dataset

    image_size = model.sample(1, seed=args.seed).shape[-1]
    side = Side(f"{args.data}:{args.split}", "dataset", dataset=args.data, split=args.split)
    real = prepare_dataset(side, image_size, args.data_dir)
    real.resize = f"{side.resize}, the model's size"
    total = side.extra["num_images"]
    if args.reference_samples:
        n, rule = args.reference_samples, "--reference-samples"
    else:
        n, rule = min(args.num_samples, total), "default: as many as generated, at most the split"
    return real, n, total, rule


def seconds_per_image(model: Any, extractor: Any, seed: int) -> dict[str, float]:
    """Seconds per image through the Inception alone (a real image) and after the generator (a generated
    one), timed on a few images after one warm-up call."""
    import torch

    with torch.no_grad():
        images = model.sample(CALIBRATION_IMAGES, seed=seed)
        extractor(images)  # warm-up: the first call allocates
        start = time.perf_counter()
        images = model.sample(CALIBRATION_IMAGES, seed=seed)
        generated = time.perf_counter()
        extractor(images)
        end = time.perf_counter()
    real = (end - generated) / CALIBRATION_IMAGES
    return {"real": real, "generated": real + (generated - start) / CALIBRATION_IMAGES}


def duration(seconds: float) -> str:
    """A rough duration: ``40 s``, ``12 min``, ``3.1 h``."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def say(line: str) -> None:
    """A line for the person at the terminal: stderr, so stdout stays one JSON line."""
    print(f"ganzoo eval: {line}", file=sys.stderr, flush=True)


@contextmanager
def progress(extractor: Any, total: int, what: str) -> Iterator[None]:
    """A progress bar on stderr, advanced by every batch the extractor sees (none for a cache hit)."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=f"Inception, {what} images", unit="img", file=sys.stderr, delay=BAR_DELAY)

    def advance(module: Any, inputs: tuple, output: Any) -> None:  # returns None: the output stays as it is
        bar.update(len(inputs[0]))

    hook = extractor.register_forward_hook(advance)
    try:
        yield
    finally:
        hook.remove()
        bar.close()


def run_pair(args: argparse.Namespace) -> dict[str, Any]:
    """``ganzoo eval METRIC A [B]``: A (images, statistics or a model) against the reference B."""
    from ganzoo.cli.image_sets import resolve

    names = args.metric
    a = resolve(args.model)
    b = None if args.reference is None else resolve(args.reference)
    if b is not None and b.kind == "model":
        raise CommandError(
            f"B ({args.reference}) is a model: put the model first, as the measured side "
            f"(ganzoo eval {','.join(names)} MODEL B), and a set of images or statistics as B"
        )
    if b is None and names != ["is"]:
        raise CommandError(f"{','.join(names)} compares two sets: pass B (or --data NAME)")
    if "is" in names and a.kind == "statistics":
        raise CommandError(f"IS needs images (class logits), not the statistics in {args.model}")
    if b is not None and a.kind == "statistics" and b.kind == "statistics":
        return _statistics_only(args, names, a, b)

    import ganzoo.metrics as metrics
    from ganzoo.cli import image_sets
    from ganzoo.metrics import extractor as features

    device = args.device or default_device()
    model = None
    size = args.image_size
    if a.kind == "model":
        from ganzoo.hub.load import load

        model = load(args.model, device=device, model_class=args.model_class)
        generated = model.sample(1, seed=args.seed)
        if size is not None and size != generated.shape[-1]:
            raise CommandError(
                f"{args.model} generates {generated.shape[-2]}x{generated.shape[-1]} images, not the "
                f"--image-size {size}: leave --image-size out (the reference is resized to the model's size)"
            )
        a.shape, size = (generated.shape[-2], generated.shape[-1]), generated.shape[-1]
        a.resize = "none (as generated)"
        a.extra.update(num_images=args.num_samples, sample_seed=args.seed)
    datamodules = {}
    for side in (a, b):
        if side is None:
            continue
        if side.kind == "folder":
            image_sets.prepare_folder(side, size)
            datamodules[id(side)] = image_sets.folder_datamodule(side)
        elif side.kind == "dataset":
            datamodules[id(side)] = image_sets.prepare_dataset(side, size, args.data_dir)
        if side.has_images and side.extra["num_images"] < 2:
            raise CommandError(f"{side.spec} holds {side.extra['num_images']} image: FID needs at least 2")
    extractor = features.as_extractor(features.standard_inception(args.weights)).to(device)
    statistics = {}
    for side in (a, b):
        if side is not None and side.kind == "statistics":
            statistics[id(side)] = _load_statistics(side, extractor)
    _check_sizes(a, b)

    n_b, rule = None, None
    if b is not None and b.has_images:
        total = b.extra["num_images"]
        if args.reference_samples:
            n_b, rule = min(args.reference_samples, total), "--reference-samples (at most B's size)"
        elif model is not None:
            n_b, rule = min(args.num_samples, total), "default: as many as generated, at most B's size"
        else:
            n_b, rule = total, "default: all of B's images"
        b.extra["num_images_used"] = n_b
    n_a = args.num_samples if model is not None else a.extra.get("num_images")

    per_image = _seconds_per_image(model, extractor, a, b, datamodules, args)
    seconds = per_image["a"] * (n_a or 0) + per_image["real"] * (n_b or 0)
    against = "" if b is None else f" against {_side_text(b, n_b)}"
    say(
        f"{','.join(names).upper()} of {_side_text(a, n_a)}{against}, {extractor.name} on {device}: about "
        f"{duration(seconds)}{' (less if cached)' if n_b else ''}"
    )
    reference = statistics.get(id(b)) if b is not None else None
    if b is not None and b.has_images:
        with progress(extractor, n_b, "B"):
            reference = metrics.reference_stats(
                datamodules[id(b)],
                b.split or "all",
                extractor=extractor,
                num_samples=n_b,
                # all of B's features for KID and prdc; for FID alone the sample the old form keeps
                kid_features=n_b if {"kid", "prdc"} & set(names) else 10_000,
                batch_size=args.batch_size,
            )
    if a.kind == "statistics":
        return _from_statistics(args, names, a, b, statistics[id(a)], reference, extractor.describe())
    smaller = min(
        n_a, len(reference.features) if reference is not None and reference.features is not None else n_a
    )
    kid_subset_size = args.kid_subset_size or min(KID_SUBSET_SIZE, smaller)
    suite = metrics.GenerativeMetrics(
        reference,
        extractor,
        names,
        is_splits=args.is_splits,
        kid_subsets=args.kid_subsets,
        kid_subset_size=kid_subset_size,
        seed=args.seed,
        nearest_k=args.nearest_k,
    ).to(device)
    with progress(extractor, n_a, "A"):
        if model is not None:
            result = metrics.evaluate(model, suite, n_a, batch_size=args.batch_size, seed=args.seed)
        else:
            result = _measure_images(suite, datamodules[id(a)], a, args.batch_size)
    protocol = result.pop("protocol")
    if rule is not None:
        protocol["reference_num_samples"] = f"{n_b} ({rule})"
    protocol["compared_at"] = (
        f"{a.size_text()} on both sides, then the extractor's resize ({extractor.resize})"
    )
    protocol["a"] = a.describe()
    if b is not None:
        protocol["b"] = b.describe()
    out = {**values_of(names, result), "a": args.model}
    if b is not None:
        out["b"] = args.reference
    return {**out, "protocol": protocol}


def _measure_images(suite: Any, datamodule: Any, side: Any, batch_size: int) -> dict[str, Any]:
    """Every image of a folder or dataset side through ``suite``, in order."""
    from torch.utils.data import DataLoader

    suite.reset()
    for batch in DataLoader(datamodule.dataset(side.split), batch_size=batch_size):
        suite.update(batch[0] if isinstance(batch, (list, tuple)) else batch)
    return {**suite.compute(), "protocol": suite.protocol()}


def _load_statistics(side: Any, extractor: Any) -> Any:
    """A ``.npz`` side's statistics, refused when they record another extractor than the one in use."""
    from ganzoo.metrics import FeatureStats

    stats = FeatureStats.load(side.path)
    side.extra["num_images"] = stats.num_samples
    side.extra["meta"] = stats.meta
    size = stats.meta.get("image_size")
    if isinstance(size, int):
        side.shape = (size, size)
    side.resize = "as recorded in the file" if "image_size" in stats.meta else "unknown (not recorded)"
    recorded = stats.meta.get("extractor_sha")
    if extractor is not None and recorded is not None and recorded != extractor.fingerprint:
        raise CommandError(
            f"{side.spec} was computed with the extractor {stats.meta.get('extractor')} ({recorded}), not "
            f"{extractor.name} ({extractor.fingerprint}): pass the matching --weights, or recompute it"
        )
    if extractor is not None and stats.dim != getattr(extractor.module, "num_features", stats.dim):
        raise CommandError(
            f"{side.spec} holds {stats.dim}-d statistics; {extractor.name} gives "
            f"{extractor.module.num_features}-d features"
        )
    return stats


def _check_sizes(a: Any, b: Any) -> None:
    if b is None or a.shape is None or b.shape is None or a.shape == b.shape:
        return
    raise CommandError(
        f"A ({a.spec}) is {a.size_text()} but B ({b.spec}) is {b.size_text()}: FIDs across sizes differ by "
        "the resize alone, so both sides are compared at one size. Pass --image-size N to resize the "
        "folders and datasets to NxN (a model keeps its own size)"
    )


def _side_text(side: Any, n: int | None) -> str:
    where = {
        "folder": lambda: f"the folder {side.spec}",
        "dataset": lambda: f"{side.dataset}/{side.split}",
        "statistics": lambda: f"the statistics in {side.spec}",
        "model": lambda: f"images generated by {side.spec}",
    }[side.kind]()
    if side.kind == "statistics":
        return where
    total = side.extra.get("num_images")
    count = f"{n}" if n == total or side.kind == "model" else f"{n} of the {total}"
    return (
        f"{count} {where} at {side.size_text()}"
        if side.kind == "model"
        else (f"{count} images of {where} at {side.size_text()} ({side.resize})")
    )


def _seconds_per_image(
    model: Any, extractor: Any, a: Any, b: Any, datamodules: dict, args: argparse.Namespace
) -> dict[str, float]:
    """Seconds per image of A (generated or read) and of a real image, timed on a few images."""
    import torch

    if model is not None:
        timed = seconds_per_image(model, extractor, args.seed)
        return {"a": timed["generated"], "real": timed["real"]}
    side = a if a.has_images else b
    if side is None or not side.has_images:
        return {"a": 0.0, "real": 0.0}
    dataset = datamodules[id(side)].dataset(side.split)
    count = min(CALIBRATION_IMAGES, len(dataset))
    with torch.no_grad():
        first = [dataset[i][0] for i in range(count)]
        extractor(torch.stack(first))  # warm-up: the first call allocates
        start = time.perf_counter()
        extractor(torch.stack([dataset[i][0] for i in range(count)]))
        seconds = (time.perf_counter() - start) / count
    return {"a": seconds, "real": seconds}


def _from_statistics(
    args: argparse.Namespace,
    names: list[str],
    a: Any,
    b: Any,
    stats_a: Any,
    stats_b: Any,
    extractor_protocol: dict[str, Any] | None,
) -> dict[str, Any]:
    """The values when A is statistics: FID from the moments, KID and PRDC from the feature samples."""
    from ganzoo.metrics import KID, frechet_distance, prdc

    values: dict[str, float] = {}
    protocol: dict[str, Any] = dict(extractor_protocol or {})
    if "fid" in names:
        values["fid"] = frechet_distance(stats_a, stats_b)
    if {"kid", "prdc"} & set(names):
        for side, stats in ((a, stats_a), (b, stats_b)):
            if stats.features is None:
                raise CommandError(
                    f"{side.spec} has no feature sample (only mu and sigma), which KID and prdc need: use "
                    "fid, or compute the statistics with ganzoo"
                )
    if "kid" in names:
        size = args.kid_subset_size or min(KID_SUBSET_SIZE, len(stats_a.features), len(stats_b.features))
        kid = KID(stats_b, args.kid_subsets, size, args.seed)
        kid.update(stats_a.features)
        mean, std = kid.compute()
        values["kid"], values["kid_std"] = float(mean), float(std)
        protocol["kid"] = {
            "subsets": args.kid_subsets,
            "subset_size": size,
            "kernel": "(x.y/d + 1)^3",
            "seed": args.seed,
        }
    if "prdc" in names:
        values.update(prdc(stats_b.features, stats_a.features, args.nearest_k))
        protocol["prdc"] = {"nearest_k": args.nearest_k, "distance": "euclidean, float64"}
    protocol["a"], protocol["b"] = a.describe(), b.describe()
    return {**values_of(names, values), "a": args.model, "b": args.reference, "protocol": protocol}


def _statistics_only(args: argparse.Namespace, names: list[str], a: Any, b: Any) -> dict[str, Any]:
    """Two ``.npz`` files: no network to run; they must agree on the extractor they record."""
    stats = [_load_statistics(side, None) for side in (a, b)]
    shas = {s.meta.get("extractor_sha") for s in stats} - {None}
    if len(shas) > 1:
        raise CommandError(f"{a.spec} and {b.spec} were computed with different extractors ({sorted(shas)})")
    _check_sizes(a, b)
    return _from_statistics(args, names, a, b, stats[0], stats[1], None)
