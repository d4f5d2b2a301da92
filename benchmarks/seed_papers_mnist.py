"""The two seed papers on real MNIST: GAN (Goodfellow et al. 2014) and CGAN (Mirza & Osindero 2014), each
trained from its zoo card (``zoo_cards/gan_mnist.yaml``, ``zoo_cards/cgan_mnist.yaml``) for a stated
budget of epochs on CPU, then read by ganzoo's digit classifier (``ganzoo.metrics.classifier``).

Measured: for GAN, the class histogram of 10,000 samples (digits covered, the largest share); for CGAN,
how often 1,000 samples of each digit are classified as the digit they were drawn for (overall and the
worst digit). Writes ``results/seed_papers_mnist.md`` / ``.json`` and a sample grid per model.

    OMP_NUM_THREADS=1 python benchmarks/seed_papers_mnist.py [--data-dir DIR] [--epochs-gan N]
        [--epochs-cgan N] [--only gan_mnist|cgan_mnist]

Resumable row by row: each model's result is written to the .json as soon as it is measured, and a run
with ``--only`` keeps the other model's row from the existing .json.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import torch

from ganzoo.cli.fit import run_cli
from ganzoo.images import save_image_grid
from ganzoo.metrics.classifier import (
    accuracy,
    class_histogram,
    digit_classifier,
    mnist_split,
    within_class_variety,
)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
NAME = "seed_papers_mnist"
SAMPLES = 10_000
TRAJECTORY_SAMPLES = 2_000
VARIETY_SET = 200  # images per digit whose pairwise distances measure its variety
COVERED = 0.01  # a digit counts as covered when more than 1% of the samples are classified as it


class Trajectory(L.Callback):
    """After every epoch, ``measure`` on fewer samples (``TRAJECTORY_SAMPLES``); sampling uses its own seeded
    generator, so training draws the same noise as a run without this callback."""

    def __init__(self, measure, classifier) -> None:
        self.measure, self.classifier, self.rows = measure, classifier, []
        self.t0 = time.perf_counter()

    def on_train_epoch_end(self, trainer, model) -> None:
        row = self.measure(model, self.classifier, TRAJECTORY_SAMPLES)
        row = {"epoch": trainer.current_epoch + 1, "g_steps": int(model.num_g_steps), **row}
        row["minutes"] = round((time.perf_counter() - self.t0) / 60, 1)
        self.rows.append(row)
        print(json.dumps(row), flush=True)


def train(
    card: str,
    data_dir: Path,
    epochs: int,
    root: Path,
    seed: int,
    trajectory: Trajectory,
    overrides: list[str] = (),
) -> tuple[object, float]:
    t0 = time.perf_counter()
    cli = run_cli(
        [
            "fit",
            "-c",
            str(REPO / "zoo_cards" / f"{card}.yaml"),
            "--seed_everything",
            str(seed),
            "--data.data_dir",
            str(data_dir),
            "--data.download",
            "false",
            "--data.num_workers",
            "0",
            "--trainer.accelerator",
            "cpu",
            "--trainer.max_epochs",
            str(epochs),
            "--trainer.logger",
            "false",
            "--trainer.enable_checkpointing",
            "false",
            "--trainer.enable_progress_bar",
            "false",
            "--trainer.default_root_dir",
            str(root),
            *overrides,
        ],
        extra_callbacks=[trajectory],
    )
    return cli.model, time.perf_counter() - t0


def measure_gan(model, classifier, n: int = SAMPLES) -> dict:
    hist = class_histogram(classifier, model.sample(n, seed=1))
    return {
        "histogram": [round(v, 4) for v in hist.tolist()],
        "digits_covered": int((hist > COVERED).sum()),
        "max_share": round(hist.max().item(), 4),
    }


def measure_cgan(model, classifier, n: int = SAMPLES, *, real: tuple) -> dict:
    labels = torch.arange(10).repeat_interleave(n // 10)
    images = model.sample(len(labels), classes=labels, seed=1)
    pred = classifier.predict(images)
    per_digit = [(pred[labels == d] == d).double().mean().item() for d in range(10)]
    variety = within_class_variety(images, labels, *real, per_class=VARIETY_SET)
    return {
        "conditional_accuracy": round((pred == labels).double().mean().item(), 4),
        "per_digit_accuracy": [round(v, 4) for v in per_digit],
        "worst_digit_accuracy": round(min(per_digit), 4),
        "within_digit_variety": [round(v, 3) for v in variety],
        "least_varied_digit": round(min(variety), 3),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data" / "mnist")
    p.add_argument("--epochs-gan", type=int, default=10)
    p.add_argument("--epochs-cgan", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=["gan_mnist", "cgan_mnist"], help="train and measure one model")
    p.add_argument(
        "--override",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="a card setting to change for this run, e.g. --override model.init_args.lr_d 0.1 (recorded)",
    )
    args = p.parse_args()
    torch.set_num_threads(1)
    if not (args.data_dir / "train-images-idx3-ubyte.gz").is_file() and not any(
        args.data_dir.glob("**/train-*")
    ):
        print(f"real MNIST not found in {args.data_dir}: pass --data-dir; skipping the benchmark")
        sys.exit(0)
    RESULTS.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    classifier = digit_classifier(args.data_dir)
    classifier_seconds = time.perf_counter() - t0
    test_accuracy = accuracy(classifier, *mnist_split(args.data_dir, "test"))
    result: dict = {
        "classifier": {
            "what": "ganzoo.metrics.classifier.digit_classifier: LeNet-style CNN, Adam 1e-3, 3 epochs",
            "mnist_test_accuracy": round(test_accuracy, 4),
            "seconds_to_train_or_load": round(classifier_seconds),
        },
        "threads": torch.get_num_threads(),
        "seed": args.seed,
    }
    json_path = RESULTS / f"{NAME}.json"
    previous = json.loads(json_path.read_text()) if json_path.is_file() else {}
    result.update({k: previous[k] for k in ("gan_mnist", "cgan_mnist", "notes") if k in previous})
    root = Path(tempfile.mkdtemp(prefix=f"{NAME}_"))
    for card, epochs, measure in (
        ("gan_mnist", args.epochs_gan, measure_gan),
        (
            "cgan_mnist",
            args.epochs_cgan,
            functools.partial(measure_cgan, real=mnist_split(args.data_dir, "test")),
        ),
    ):
        if args.only not in (None, card):
            continue
        trajectory = Trajectory(measure, classifier)
        overrides = [a for key, value in args.override for a in (f"--{key}", value)]
        model, seconds = train(card, args.data_dir, epochs, root, args.seed, trajectory, overrides)
        model.eval()
        result[card] = {
            "epochs": epochs,
            "overrides": dict(args.override),
            "g_steps": int(model.num_g_steps),
            "minutes": round(seconds / 60, 1),
            **measure(model, classifier),
            "trajectory": trajectory.rows,
        }
        grid_kwargs = {"classes": torch.arange(10).repeat(10)} if card == "cgan_mnist" else {}
        save_image_grid(model.sample(100, seed=2, **grid_kwargs), RESULTS / f"{NAME}_{card}.png", nrow=10)
        print(card, json.dumps(result[card]), flush=True)
        json_path.write_text(json.dumps(result, indent=1) + "\n")
        (RESULTS / f"{NAME}.md").write_text(report(result))
    print(report(result))


def _result_cell(card: str, row: dict | None) -> str:
    if row is None:
        return "not measured"
    overrides = row.get("overrides") or {}
    changed = f" (card with {', '.join(f'{k}={v}' for k, v in overrides.items())})" if overrides else ""
    if card == "gan_mnist":
        text = (
            f"{row['digits_covered']}/10 digits covered (>1% of {SAMPLES} samples), largest share "
            f"{row['max_share']:.1%}"
        )
    else:
        text = (
            f"{row['conditional_accuracy']:.1%} of {SAMPLES} samples classified as the requested digit "
            f"(worst digit {row['worst_digit_accuracy']:.1%})"
        )
        if "least_varied_digit" in row:
            text += f"; within-digit variety at least {row['least_varied_digit']:.2f} of real"
    return text + changed


def report(r: dict) -> str:
    clf = r["classifier"]
    measured = {k: v for k, v in r.items() if isinstance(v, dict) and "epochs" in v}
    gan, cgan = measured.get("gan_mnist"), measured.get("cgan_mnist")
    empty = {"epochs": "-", "g_steps": "-", "minutes": "-", "trajectory": []}
    hist = " ".join(f"{d}:{v:.1%}" for d, v in enumerate(gan["histogram"])) if gan else "not measured"
    per = (
        " ".join(f"{d}:{v:.1%}" for d, v in enumerate(cgan["per_digit_accuracy"])) if cgan else "not measured"
    )
    gan_rows = "\n".join(
        f"| {t['epoch']} | {t['g_steps']} | {t['digits_covered']} | {t['max_share']:.1%} | {t['minutes']} |"
        for t in (gan or empty)["trajectory"]
    )
    cgan_rows = "\n".join(
        f"| {t['epoch']} | {t['g_steps']} | {t['conditional_accuracy']:.1%} "
        f"| {t['worst_digit_accuracy']:.1%} | {t.get('least_varied_digit', '-')} | {t['minutes']} |"
        for t in (cgan or empty)["trajectory"]
    )
    variety = (
        " ".join(f"{d}:{v:.2f}" for d, v in enumerate(cgan["within_digit_variety"]))
        if cgan and "within_digit_variety" in cgan
        else "not measured"
    )
    gan_ok = gan is not None and gan["digits_covered"] == 10 and gan["max_share"] <= 0.2
    cgan_ok = cgan is not None and cgan["conditional_accuracy"] >= 0.9
    notes = "\n".join(f"- {n}" for n in r.get("notes", []))
    gan, cgan = gan or empty, cgan or empty
    return f"""# The seed papers on real MNIST (CPU, {r["threads"]} thread(s))

`benchmarks/seed_papers_mnist.py`: each model trained from its zoo card for the epochs below (the cards'
recipes, batch 100 on the 60,000 training digits: 600 generator steps per epoch), then read by ganzoo's
digit classifier ({clf["what"]}; {clf["mnist_test_accuracy"]:.2%} on the MNIST test set).

| model | card | epochs | G steps | wall minutes | result |
|---|---|---|---|---|---|
| GAN (Goodfellow et al. 2014) | gan_mnist | {gan["epochs"]} | {gan["g_steps"]} | {gan["minutes"]} | \
{_result_cell("gan_mnist", measured.get("gan_mnist"))} |
| CGAN (Mirza & Osindero 2014) | cgan_mnist | {cgan["epochs"]} | {cgan["g_steps"]} | {cgan["minutes"]} | \
{_result_cell("cgan_mnist", measured.get("cgan_mnist"))} |

Targets: GAN covers all 10 digits with none above 20% ({"met" if gan_ok else "not met at this budget"});
CGAN draws the requested digit at least 90% of the time ({"met" if cgan_ok else "not met at this budget"}).

GAN class histogram: {hist}

CGAN accuracy per requested digit: {per}

CGAN within-digit variety (mean pairwise pixel distance among {VARIETY_SET} samples of a digit over the same
among {VARIETY_SET} MNIST test images of it; 1 = as varied as real, ~0 = one image per digit): {variety}

GAN after each epoch ({TRAJECTORY_SAMPLES} samples):

| epoch | G steps | digits covered | largest share | minutes |
|---|---|---|---|---|
{gan_rows}

CGAN after each epoch ({TRAJECTORY_SAMPLES} samples):

| epoch | G steps | conditional accuracy | worst digit | least varied digit | minutes |
|---|---|---|---|---|---|
{cgan_rows}

Samples: `seed_papers_mnist_gan_mnist.png` (100 random), `seed_papers_mnist_cgan_mnist.png` (column = digit
0..9 requested). Seed {r["seed"]}.

Other measured runs (notes kept in the .json):

{notes}
"""


if __name__ == "__main__":
    main()
