"""Reproduce the MNIST column of Lucic et al. 2018, "Are GANs Created Equal?" (NeurIPS), Table 2.

For each model (MM GAN, NS GAN, LSGAN, WGAN, WGAN-GP, DRAGAN, BEGAN, VAE; cards ``lucic2018/<model>_mnist``):

1. search: ``--trials`` settings, the first the card's (the study's defaults), the others drawn from the
   study's wide ranges (google/compare_gan ``params.py``: lr 10^U[-5, -2], beta1 U[0, 1], D steps 1 or 5,
   batch norm in D or not, plus each model's own: clipping 10^U[-3, 0], penalty lambda 10^U[-1, 2], BEGAN
   lambda_k 10^U[-4, -2] and gamma U[0, 1]). The study drew 100 per model; the default here is 8.
   With ``--screen`` the settings are first ranked under the ``screen`` protocol (2 epochs, FID at 1,000
   samples, about a tenth of a full run) and only the best of them is trained under ``--protocol``.
2. restarts: the setting with the best FID retrained with ``--restarts`` other seeds (the study: 50).

Each run is scored as the study scores it: FID every ``--eval-every`` epochs on ``--num-samples``
generated images against as many MNIST test images, the best of those checkpoints kept; the standard FID
Inception (TF 2015-12-05 pool3), 28x28 images quantised to 8 bits, grey replicated to RGB, resized to 299
by TF1 bilinear; precision / recall / density / coverage (k = 5) on the same features beside it.

Every run appends one JSON line to ``results/lucic2018_mnist.jsonl`` as soon as it finishes, and the table
``results/lucic2018_mnist.md`` is rewritten from that file: a run already there (same model, phase, index,
protocol) is skipped, so the script resumes where it stopped. A run in progress keeps its state after every
epoch in ``results/checkpoints/`` and goes on from there when the script is started again. The table shows
only numbers measured by this script under the named protocol, and "pending" where none was.

    python benchmarks/lucic2018.py --data-dir ../shared/data/mnist             # the full protocol
    python benchmarks/lucic2018.py --data-dir ../shared/data/mnist --protocol smoke  # minutes
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import platform
import random
import shutil
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightning as L
import torch
import yaml
from lightning.pytorch.callbacks import ModelCheckpoint

from ganzoo.cli import find_card
from ganzoo.data import MNIST
from ganzoo.hub.catalog.entry import Metric
from ganzoo.hub.publish import save_pretrained
from ganzoo.images import save_image_grid
from ganzoo.metrics import GenerativeMetrics, evaluate
from ganzoo.metrics.stats import FeatureStats, reference_stats
from ganzoo.registry import PAPERS

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DEFAULT_DATA = ROOT.parent.parent / "shared" / "data" / "mnist"

MODELS = ("mm_gan", "ns_gan", "lsgan", "wgan", "wgan_gp", "dragan", "began", "vae")
LABELS = {
    "mm_gan": "MM GAN",
    "ns_gan": "NS GAN",
    "lsgan": "LSGAN",
    "wgan": "WGAN",
    "wgan_gp": "WGAN GP",
    "dragan": "DRAGAN",
    "began": "BEGAN",
    "vae": "VAE",
}
PAPER = {  # Table 2 of the paper (mean +- std of the best setting over 50 seeds); MNIST column
    "mm_gan": (9.8, 0.9),
    "ns_gan": (6.8, 0.5),
    "lsgan": (7.8, 0.6),
    "wgan": (6.7, 0.4),
    "wgan_gp": (20.3, 5.0),
    "dragan": (7.6, 0.4),
    "began": (13.1, 1.0),
    "vae": (23.8, 0.6),
}


@dataclass(frozen=True)
class Protocol:
    """What a number depends on; rows measured under different protocols are never mixed in one cell."""

    name: str
    epochs: int
    batches_per_epoch: int
    eval_every: int
    num_samples: int
    batch_size: int = 64

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:10]


FULL = Protocol("full", epochs=20, batches_per_epoch=782, eval_every=5, num_samples=10_000)
TWO_CHECKPOINTS = Protocol(
    "two-checkpoints", epochs=20, batches_per_epoch=782, eval_every=10, num_samples=10_000
)
SCREEN = Protocol("screen", epochs=2, batches_per_epoch=782, eval_every=2, num_samples=1_000)
SMOKE = Protocol("smoke", epochs=1, batches_per_epoch=5, eval_every=1, num_samples=500)
PROTOCOLS = {p.name: p for p in (FULL, TWO_CHECKPOINTS, SCREEN, SMOKE)}
SECTIONS = {  # a heading and what the numbers under it can be compared with
    "full": (
        "Full protocol (20 epochs of 782 batches of 64, FID on 10,000 vs 10,000, every 5 epochs)",
        "The study's training and scoring.",
    ),
    "two-checkpoints": (
        "Full training, FID at two checkpoints (epochs 10 and 20, 10,000 vs 10,000)",
        "The study's training; scored at 2 of its 4 checkpoints, since one FID at 10,000 samples (with"
        " precision / recall) takes about 15 minutes on 2 CPU cores here, as long as 7 epochs of VAE"
        " training. The best of fewer checkpoints can only be higher, so a row that meets the"
        " target here meets it under the full protocol too.",
    ),
    "screen": (
        "Screening (2 epochs of 782 batches, FID on 1,000 vs 1,000; not comparable with the paper)",
        "The search at a tenth of the training (`--screen`): it ranks the settings, and only the best one is"
        " trained under the full protocol. FID at 1,000 samples is biased upward, so these numbers rank"
        " settings and are not results. Targets do not apply.",
    ),
    "smoke": (
        "Smoke run (not comparable with the paper)",
        "1 epoch of 5 batches and FID on 500 vs 500 images, only to prove the pipeline end to end: untrained"
        " networks, and FID at 500 samples is biased far upward. Targets do not apply.",
    ),
}


# --- the study's hyperparameters -------------------------------------------------------------------


def sample_setting(model: str, rng: random.Random) -> dict[str, Any]:
    """One draw from the study's wide ranges, in the study's names."""

    def log_uniform(lo: float, hi: float) -> float:
        return 10 ** rng.uniform(lo, hi)

    s: dict[str, Any] = {"learning_rate": log_uniform(-5, -2), "beta1": rng.uniform(0, 1)}
    s["batchnorm"] = rng.choice([True, False])
    if model != "vae":
        s["disc_iters"] = rng.choice([1, 5])
    if model == "wgan":
        s["weight_clipping"] = log_uniform(-3, 0)
    if model in ("wgan_gp", "dragan"):
        s["lambda"] = log_uniform(-1, 2)
    if model == "began":
        s["lambda"], s["gamma"] = log_uniform(-4, -2), rng.uniform(0, 1)
    return s


def settings(model: str, trials: int) -> list[dict[str, Any] | None]:
    """``None`` (the card's own setting, the study's defaults) then ``trials - 1`` seeded draws."""
    rng = random.Random(f"lucic2018-{model}")
    return [None] + [sample_setting(model, rng) for _ in range(trials - 1)]


def init_args(model: str, setting: dict[str, Any] | None) -> tuple[type, dict[str, Any], dict[str, Any]]:
    """The card's model class and init args with ``setting`` applied, and the setting as the card gives it."""
    card = yaml.safe_load(find_card(f"lucic2018/{model}_mnist").read_text())["model"]
    cls = PAPERS[card["class_path"].rsplit(".", 1)[1]]
    args = {**card["init_args"], "image_size": 28, "channels": 1}  # what the cards' data gives
    betas = args.pop("optimizer")["init_args"]["betas"]
    if setting is None:
        lr = args.get("lr", args.get("lr_d"))
        norm = args.get("encoder_norm", args.get("d_norm"))
        setting = {"learning_rate": lr, "beta1": betas[0], "batchnorm": norm == "batch"}
        if model != "vae":
            setting["disc_iters"] = args.get("d_steps", 1)
        for ours, theirs in (("weight_clip", "weight_clipping"), ("penalty_weight", "lambda")):
            if ours in args:
                setting[theirs] = args[ours]
        if model == "began":
            setting["lambda"], setting["gamma"] = args["lambda_k"], args["gamma"]
    norm = "batch" if setting["batchnorm"] else "none"
    if model == "vae":
        args.update(lr=setting["learning_rate"], encoder_norm=norm)
    else:
        args.update(lr_g=setting["learning_rate"], lr_d=setting["learning_rate"], d_norm=norm)
        args["d_steps"] = setting["disc_iters"]
    if "weight_clipping" in setting:
        args["weight_clip"] = setting["weight_clipping"]
    if model in ("wgan_gp", "dragan"):
        args["penalty_weight"] = setting["lambda"]
    if model == "began":
        args["lambda_k"], args["gamma"] = setting["lambda"], setting["gamma"]
    args["optimizer"] = functools.partial(torch.optim.Adam, betas=(setting["beta1"], 0.999))
    return cls, args, setting


# --- one run --------------------------------------------------------------------------------------


class Scorer(L.Callback):
    """FID (and PRDC) every ``eval_every`` epochs, as the study scored every checkpoint. Its scores, the best
    checkpoint's weights and the time spent travel in the run's resume checkpoint."""

    def __init__(self, suite: GenerativeMetrics, protocol: Protocol) -> None:
        self.suite, self.protocol = suite, protocol
        self.scores: list[dict[str, Any]] = []
        self.best_state: dict[str, torch.Tensor] | None = None
        self.earlier = {"cpu_minutes": 0.0, "wall_minutes": 0.0}  # spent before the last resume
        self.start = (time.process_time(), time.perf_counter())

    def minutes(self) -> dict[str, float]:
        """CPU and wall minutes of the run so far, over every process that trained it."""
        cpu, wall = self.start
        return {
            "cpu_minutes": self.earlier["cpu_minutes"] + (time.process_time() - cpu) / 60,
            "wall_minutes": self.earlier["wall_minutes"] + (time.perf_counter() - wall) / 60,
        }

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        if epoch % self.protocol.eval_every and epoch != self.protocol.epochs:
            return
        result = evaluate(pl_module, self.suite, self.protocol.num_samples, seed=0)
        protocol = result.pop("protocol")
        if all(result["fid"] < s["fid"] for s in self.scores):
            self.best_state = {k: v.detach().clone() for k, v in pl_module.state_dict().items()}
        self.scores.append({"epoch": epoch, **result, "_protocol": protocol})
        print(f"epoch {epoch}/{self.protocol.epochs}: FID {result['fid']:.2f}", flush=True)

    def state_dict(self) -> dict[str, Any]:
        return {"scores": self.scores, "best_state": self.best_state, "minutes": self.minutes()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scores, self.best_state, self.earlier = state["scores"], state["best_state"], state["minutes"]
        self.start = (time.process_time(), time.perf_counter())


def run(
    model: str,
    setting: dict[str, Any] | None,
    seed: int,
    protocol: Protocol,
    reference: FeatureStats,
    args: argparse.Namespace,
    checkpoints: Path,
) -> dict[str, Any]:
    """Train and score one run. ``checkpoints`` keeps the run's state after every epoch, and a run found
    there resumes from its last finished epoch (scores and time spent included), so a stopped run loses at
    most an epoch; the data order and random draws after a resume differ from an unbroken run's."""
    cls, kwargs, used = init_args(model, setting)
    L.seed_everything(seed, verbose=False)
    module = cls(**kwargs)
    data = MNIST(data_dir=args.data_dir, image_size=28, batch_size=protocol.batch_size, download=False)
    scorer = Scorer(GenerativeMetrics(reference, metrics=["fid", "prdc"]), protocol)
    last = checkpoints / "last.ckpt"
    # One file, overwritten after every epoch. (save_last with save_top_k=0 writes only when training ends.)
    every_epoch = ModelCheckpoint(
        dirpath=checkpoints, filename="last", save_top_k=1, enable_version_counter=False
    )
    trainer = L.Trainer(
        accelerator=args.accelerator,
        devices=1,
        max_epochs=protocol.epochs,
        limit_train_batches=protocol.batches_per_epoch,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[scorer, every_epoch],
    )
    if last.is_file():
        print(f"resuming from {last}", flush=True)
    trainer.fit(module, data, ckpt_path=last if last.is_file() else None)
    best = min(scorer.scores, key=lambda s: s["fid"])
    module.load_state_dict(scorer.best_state)
    return {
        "model": model,
        "seed": seed,
        "setting": used,
        "fid": best["fid"],
        "best_epoch": best["epoch"],
        **{k: best[k] for k in ("precision", "recall", "density", "coverage")},
        "fid_by_epoch": {s["epoch"]: s["fid"] for s in scorer.scores},
        **scorer.minutes(),
        "metric_protocol": best["_protocol"],
        "module": module,
    }


def release_name(model: str) -> str:
    """The catalog name of a model's shipped generator: ``lucic-ns-gan-mnist``."""
    return f"lucic-{model.replace('_', '-')}-mnist"


def release(module: L.LightningModule, row: dict[str, Any], directory: Path) -> None:
    """The best run's generator as a folder ``ganzoo.load`` reads: the sampling form (no discriminator or
    encoder) in float16, half the bytes of float32 for a change in the samples far below 8-bit pixels; the
    card carries the run's FID (measured on the float32 weights) and its protocol."""
    metric = Metric("FID", round(row["fid"], 2), json.dumps(row["metric_protocol"], sort_keys=True))
    training = (
        f"benchmarks/lucic2018.py, protocol {row['protocol']['name']} ({row['protocol']}), run {row['id']}: "
        f"setting {row['setting']}, seed {row['seed']}, best checkpoint at epoch {row['best_epoch']}"
    )
    save_pretrained(
        module,
        directory,
        dataset="mnist",
        metrics=[metric],
        training=training,
        license="Apache-2.0",
        name=directory.name,
        generator_only=True,
        dtype=torch.float16,
    )


# --- results --------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    return (
        [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []
    )


def row_id(protocol: Protocol, model: str, phase: str, index: int) -> str:
    return f"{protocol.name}-{protocol.key()}/{model}/{phase}/{index}"


def fmt(x: float) -> str:
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def verdict(model: str, ours: float) -> str:
    """The reproduction target for a model's best FID: within the paper's mean +- 2 std, or 25% of its mean
    where that is wider."""
    mean, std = PAPER[model]
    tolerance = max(2 * std, 0.25 * mean)
    if abs(ours - mean) <= tolerance:
        return "yes"
    return f"no: {ours - mean:+.1f} ({'above' if ours > mean else 'below'}; tolerance +-{tolerance:.1f})"


def measured_under(rows: list[dict[str, Any]], protocol: Protocol) -> list[dict[str, Any]]:
    return [r for r in rows if r["id"].startswith(f"{protocol.name}-{protocol.key()}/")]


def table(rows: list[dict[str, Any]], protocol: Protocol) -> list[str]:
    mine = measured_under(rows, protocol)
    screens = measured_under(rows, SCREEN)
    out = [
        "| model | paper FID (mean +- std) | ours: best run | ours: restarts mean +- std | trials | restarts "
        "| precision | recall | density | coverage | CPU minutes | within target | grid |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model in MODELS:
        runs = [r for r in mine if r["model"] == model]
        search = [r for r in runs if r["phase"] == "search"]
        restarts = [r for r in runs if r["phase"] == "restart"]
        paper = f"{PAPER[model][0]} +- {PAPER[model][1]}"
        if not runs:
            out.append(f"| {LABELS[model]} | {paper} | pending | pending | 0 | 0 | | | | | | | |")
            continue
        best = min(runs, key=lambda r: r["fid"])
        spread = "pending"
        if len(restarts) >= 2:
            spread = f"{fmt(statistics.mean(r['fid'] for r in restarts))} +- "
            spread += fmt(statistics.stdev(r["fid"] for r in restarts))
        elif restarts:
            spread = f"{fmt(restarts[0]['fid'])} (one run)"
        target = verdict(model, best["fid"]) if protocol not in (SCREEN, SMOKE) else "n/a"
        cpu = sum(r["cpu_minutes"] for r in runs)
        trials = str(len(search))
        screened = [r for r in screens if r["model"] == model] if protocol is not SCREEN else []
        if screened:  # the screening's CPU time is part of what this row cost
            trials += f" (the best of {len(screened)} screened)"
            cpu += sum(r["cpu_minutes"] for r in screened)
        grid = f"![{model}](lucic2018_mnist/{protocol.name}_{model}.png)"
        out.append(
            f"| {LABELS[model]} | {paper} | {fmt(best['fid'])} | {spread} | {trials} "
            + f"| {len(restarts)} | "
            + " | ".join(f"{best[k]:.3f}" for k in ("precision", "recall", "density", "coverage"))
            + f" | {cpu:.1f} | {target} | {grid} |"
        )
    return out


def write_markdown(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = [
        "# Lucic et al. 2018, MNIST column: paper vs ganzoo",
        "",
        "Written by `benchmarks/lucic2018.py` from `lucic2018_mnist.jsonl` (one line per training run).",
        'Paper: Table 2 of "Are GANs Created Equal? A Large-Scale Study" (NeurIPS 2018), the best setting',
        "of a 100-setting search per model, retrained with 50 seeds (mean +- std). Ours: `--trials` settings",
        "per model (the study's defaults, then draws from its wide ranges), the best retrained with",
        "`--restarts` seeds. A run's FID is the best over its checkpoints (every `eval_every` epochs), as in",
        "the study.",
        "The GAN rows of the paper column were checked against two later papers that quote the table",
        "(Dai & Wipf 2019, Table 1; Zhang & Khoreva 2019, Table 2); the VAE's 23.8 +- 0.6 was not found in a",
        "copy available here and must be checked against the paper before it is relied on.",
        "",
        "Metric protocol: the standard FID Inception (TF 2015-12-05, pool3, 2048-d), images quantised to 8",
        "bits, 28x28 MNIST (no 32x32 resize) with grey replicated to RGB and resized to 299 by TF1 bilinear,",
        "as many generated images (seed 0) as MNIST test images (a seeded random subset when fewer than",
        "10,000); precision / recall / density / coverage with k = 5 on the same features.",
        "",
        "A row says `pending` until its runs are measured; the only numbers not measured by this script",
        "are the paper's column. `within target`: the best run's FID within the paper's mean +- 2 std, or",
        "25% of its mean where that is wider.",
        "",
    ]
    measured = {r["protocol"]["name"] for r in rows}
    for protocol in PROTOCOLS.values():
        if protocol is FULL or protocol.name in measured:
            heading, about = SECTIONS[protocol.name]
            lines += [f"## {heading}", "", about, "", *table(rows, protocol), ""]
            recorded = next((r["metric_protocol"] for r in rows if r["protocol"] == asdict(protocol)), None)
            if recorded is not None:
                lines += [
                    "Metric protocol recorded by these runs:",
                    "",
                    "```",
                    json.dumps(recorded),
                    "```",
                    "",
                ]
    lines += [
        f"Machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads."
    ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    p.add_argument("--trials", type=int, default=8, help="settings searched per model (the study: 100)")
    p.add_argument("--restarts", type=int, default=5, help="seeds of the best setting (the study: 50)")
    p.add_argument(
        "--protocol", choices=PROTOCOLS, default="full", help="smoke: minutes, proves the pipeline"
    )
    p.add_argument(
        "--screen",
        action="store_true",
        help="search under the screen protocol, then train only its best setting under --protocol",
    )
    p.add_argument("--accelerator", default="auto")
    p.add_argument("--results", type=Path, default=RESULTS)
    args = p.parse_args()
    if (
        not (args.data_dir / "t10k-images-idx3-ubyte.gz").is_file()
        and not (args.data_dir / "t10k-images-idx3-ubyte").is_file()
    ):
        raise SystemExit(
            f"no MNIST IDX files in {args.data_dir}: pass --data-dir with train-/t10k-*-ubyte(.gz)"
        )
    protocol = PROTOCOLS[args.protocol]
    jsonl, md = args.results / "lucic2018_mnist.jsonl", args.results / "lucic2018_mnist.md"
    grids = args.results / "lucic2018_mnist"
    references: dict[int, FeatureStats] = {}
    rows = read_rows(jsonl)
    measured = {r["id"]: r for r in rows}

    def record(
        protocol: Protocol, model: str, phase: str, index: int, setting: dict[str, Any] | None, seed: int
    ) -> dict[str, Any]:
        rid = row_id(protocol, model, phase, index)
        if rid in measured:
            print(f"{rid}: already measured, skipped")
            return measured[rid]
        if protocol.num_samples not in references:
            references[protocol.num_samples] = reference_stats(
                MNIST(data_dir=args.data_dir, image_size=28, download=False),
                "test",
                num_samples=protocol.num_samples,
                kid_features=protocol.num_samples,
            )
        checkpoints = args.results / "checkpoints" / rid
        result = run(model, setting, seed, protocol, references[protocol.num_samples], args, checkpoints)
        module = result.pop("module")
        row = {"id": rid, "phase": phase, "index": index, "protocol": asdict(protocol), **result}
        with jsonl.open("a") as f:
            f.write(json.dumps(row) + "\n")
        rows.append(row)
        measured[rid] = row
        if checkpoints.exists():
            shutil.rmtree(checkpoints)  # the row is what is kept
        runs = [r for r in measured_under(rows, protocol) if r["model"] == model]
        best = row is min(runs, key=lambda r: r["fid"])
        if best:
            save_image_grid(module.sample(64, seed=0).cpu(), grids / f"{protocol.name}_{model}.png")
        shipped = args.results / "release" / protocol.name / release_name(model)
        if protocol is not SCREEN and (best or not shipped.is_dir()):  # the best run whose weights are kept
            release(module, row, shipped)
        write_markdown(md, rows)
        print(f"{rid}: FID {row['fid']:.2f} (epoch {row['best_epoch']}), {row['cpu_minutes']:.1f} CPU min")
        return row

    args.results.mkdir(parents=True, exist_ok=True)
    for model in args.models:
        trials = list(enumerate(settings(model, args.trials)))
        if args.screen and protocol is not SCREEN:
            screened = [record(SCREEN, model, "search", i, setting, seed=0) for i, setting in trials]
            trials = [trials[min(screened, key=lambda r: r["fid"])["index"]]]
        search = [record(protocol, model, "search", i, setting, seed=0) for i, setting in trials]
        best = min(search, key=lambda r: r["fid"])
        for k in range(1, args.restarts + 1):
            record(protocol, model, "restart", k, best["setting"], seed=k)
    write_markdown(md, rows)


if __name__ == "__main__":
    main()
