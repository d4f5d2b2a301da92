"""``ganzoo demo``: train DCGAN on the MNIST subset that ships with the package, for a fixed step budget.

The budget is in generator steps, so the result is the same on a busy machine as on an idle one (only the
time differs; an estimate is printed once training is under way). At the end the demo writes the freshly
trained model's samples beside those of the shipped ``dcgan-mnist`` checkpoint, from the same noise.
"""

from __future__ import annotations

import argparse
import importlib.resources
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torchvision.utils import save_image

from ganzoo.cli.cards import find_card
from ganzoo.cli.fit import run_cli
from ganzoo.hub.load import load
from ganzoo.images import to_grid

SEED = 0


def demo_data_dir() -> Path:
    """The 10k-image MNIST subset that ships inside the package."""
    return Path(str(importlib.resources.files("ganzoo.data") / "assets" / "mnist_demo"))


class StepBudgetETA(L.Callback):
    """Prints, once, how long the remaining generator steps will take at the speed measured so far."""

    def __init__(self, g_steps: int, after: int = 25) -> None:
        self.g_steps, self.after = g_steps, after
        self.start: float | None = None

    def on_train_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.start = time.monotonic()

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        done = int(pl_module.num_g_steps)
        if done == self.after and self.start is not None and self.g_steps > self.after:
            left = (time.monotonic() - self.start) / done * (self.g_steps - done)
            print(f"\n{done} of {self.g_steps} generator steps done; about {left / 60:.1f} minutes to go")


def side_by_side(left: torch.Tensor, right: torch.Tensor, path: Path) -> Path:
    """Two [-1, 1] batches as two grids next to each other, with a white gap, in one PNG."""
    a, b = to_grid(left), to_grid(right)
    gap = torch.ones(a.shape[0], a.shape[1], 8)
    save_image(torch.cat([a, gap, b], dim=2), path)
    return path


def cmd_demo(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo demo",
        description="Train DCGAN on the bundled 10,000 MNIST digits for a fixed number of generator steps "
        "(about 2-3 minutes on 2 idle CPU cores), then show its samples beside the shipped dcgan-mnist's.",
    )
    p.add_argument("--steps", type=int, default=1000, help="generator steps to train (default: 1000)")
    p.add_argument("--out", default="runs/demo", help="run directory (default: runs/demo)")
    args = p.parse_args(argv)
    if args.steps < 1:
        raise SystemExit(f"error: --steps must be at least 1, got {args.steps}")
    start = time.time()
    out = Path(args.out)
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
            "-1",
            "--trainer.max_steps",
            str(2 * args.steps),  # Lightning counts the optimizer steps of both networks
            "--trainer.default_root_dir",
            str(out),
            "--seed_everything",
            str(SEED),
        ],
        extra_callbacks=[StepBudgetETA(args.steps)],
    )
    trainer, module = cli.trainer, cli.model
    ckpt = out / "last.ckpt"
    trainer.save_checkpoint(ckpt)
    comparison = side_by_side(
        load("dcgan-mnist").sample(64, seed=SEED), module.sample(64, seed=SEED), out / "comparison.png"
    )
    losses = {
        k: round(float(v), 4)
        for k, v in trainer.callback_metrics.items()
        if k in ("train/d_loss", "train/g_loss")
    }
    print(
        f"\nDemo finished in {time.time() - start:.0f} s: {int(module.num_g_steps)} generator steps, "
        f"final losses {losses}"
    )
    print(f"checkpoint:       {ckpt}  (ganzoo.load('{ckpt}'))")
    print(f"samples:          {comparison}  (left: the shipped dcgan-mnist; right: this run)")
    return 0
