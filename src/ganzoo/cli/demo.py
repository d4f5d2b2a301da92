"""``ganzoo demo``: train DCGAN on the MNIST subset that ships with the package, for a fixed step budget.

The budget is in generator steps, so the result is the same on a busy machine as on an idle one (only the
time differs; an estimate is printed once training is under way). At the end the demo writes, in its run
folder, the checkpoint (``last.ckpt``), the model as ``save_pretrained`` writes it (``model/``, its card
naming the data it was trained on), and the freshly trained model's samples beside those of the shipped
``dcgan-mnist`` checkpoint, from the same noise (``comparison.png``).
"""

from __future__ import annotations

import argparse
import importlib.resources
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganzoo.cli.options import positive_int

SEED = 0
CARD = "dcgan_mnist"
DATASET = "MNIST, its first 10,000 training images (bundled with ganzoo)"


def demo_data_dir() -> Path:
    """The 10k-image MNIST subset that ships inside the package."""
    return Path(str(importlib.resources.files("ganzoo.data") / "assets" / "mnist_demo"))


def side_by_side(left: Any, right: Any, path: Path) -> Path:
    """Two [-1, 1] batches as two grids next to each other, with a white gap, in one PNG."""
    import torch
    from torchvision.utils import save_image

    from ganzoo.images import to_grid

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
    p.add_argument(
        "--steps", type=positive_int, default=1000, help="generator steps to train (default: 1000)"
    )
    p.add_argument("--out", default="runs/demo", help="run directory (default: runs/demo)")
    args = p.parse_args(argv)

    from ganzoo.callbacks import StepBudgetETA
    from ganzoo.cli import find_card
    from ganzoo.cli.fit import run_cli
    from ganzoo.hub.load import load

    start = time.time()
    out = Path(args.out)
    cli = run_cli(
        [
            "fit",
            "-c",
            str(find_card(CARD)),
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
    trainer.save_checkpoint(ckpt, weights_only=False)  # the whole state, so a run can resume
    steps = int(module.num_g_steps)
    folder = module.save_pretrained(
        out / "model",
        dataset=DATASET,
        zoo_card=CARD,
        training=f"`ganzoo demo`: {steps} generator steps of the {CARD} card, seed {SEED}",
        sample_seed=SEED,
    )
    comparison = side_by_side(
        load("dcgan-mnist").sample(64, seed=SEED), module.sample(64, seed=SEED), out / "comparison.png"
    )
    losses = {
        k: round(float(v), 4)
        for k, v in trainer.callback_metrics.items()
        if k in ("train/d_loss", "train/g_loss")
    }
    print(f"\nDemo finished in {time.time() - start:.0f} s: {steps} generator steps, final losses {losses}")
    print(f"checkpoint:       {ckpt}  (ganzoo.load('{ckpt}'))")
    print(f"model:            {folder}  (save_pretrained: config.json, model.safetensors, README.md)")
    print(f"samples:          {comparison}  (left: the shipped dcgan-mnist; right: this run)")
    return 0
