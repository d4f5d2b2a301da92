"""pix2pix learns on the real CMP Facades within a CPU budget: test-set FID, L1, PSNR and SSIM before and
after a short run, and a grid of test translations.

The real ``Pix2Pix`` (U-Net with batch norm and dropout, 70x70 PatchGAN, vanilla GAN + 100 * L1,
Adam(2e-4, (0.5, 0.999)), batch 1) is trained on the 400 training pairs, labels -> photo (BtoA), through
the ``Paired`` DataModule and Lightning's Trainer. To fit a CPU it runs at 64x64 (``unet_64``: the
authors' U-Net design with 6 halvings instead of 8, and the same 286/256 load/crop ratio: 72 -> 64)
for a fixed number of generator steps, so that runs on machines of different speed do the same work.
The paper's own recipe (256x256, 200 epochs) is ``zoo_cards/pix2pix_facades.yaml``.

All 106 test label maps are translated once (batch 1) and compared with the 106 real test photos at the
same resolution: FID with the standard 2015-12-05 Inception (upsampled to 299), and the per-image
L1 / PSNR / SSIM. 106 samples give a biased FID (singular 2048x2048 covariance), so only the start and
end of this run compare with each other, not with the paper's 256x256 numbers. The generator runs as the
authors' ``test.py`` does by default (batch statistics and dropout on); L1 / PSNR / SSIM are also given in
``eval_mode`` (running statistics, no dropout).

    OMP_NUM_THREADS=2 python benchmarks/pix2pix_facades_cpu.py [--steps 400] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import lightning as L
import torch

from ganzoo.data import Paired
from ganzoo.images import save_image_grid
from ganzoo.metrics import FeatureExtractor, standard_inception
from ganzoo.metrics.translation import TranslationMetrics, evaluate_translation
from ganzoo.models import Pix2Pix

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
NAME = "pix2pix_facades_cpu"
GRID_IMAGES = 8


class Progress(L.Callback):
    """Prints the losses every ``every`` generator steps, to follow a long run on a shared machine."""

    def __init__(self, every: int) -> None:
        self.every, self.start = every, time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        steps = int(pl_module.num_g_steps)
        if steps % self.every == 0:
            m = {k[6:]: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("train/")}
            losses = ", ".join(f"{k} {m[k]:.3f}" for k in ("d_loss", "g_gan", "g_l1") if k in m)
            print(f"step {steps}: {time.perf_counter() - self.start:.0f} s, {losses}", flush=True)


def measure(model: Pix2Pix, dm: Paired, extractor: FeatureExtractor, seed: int) -> dict[str, Any]:
    """Test-set metrics: FID and the paired metrics in the authors' test mode (seeded: dropout is random),
    the paired metrics in eval mode (FID there would cost another 106 Inception passes on a busy CPU)."""
    out = {}
    for mode, eval_mode in (("authors_test_mode", False), ("eval_mode", True)):
        torch.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="estimating a 2048x2048")
            result = evaluate_translation(
                lambda x, e=eval_mode: model.translate(x, eval_mode=e),
                dm,
                "test",
                extractor=extractor,
                fid=not eval_mode,
            )
        out[mode] = {k: round(v, 4) for k, v in result.items() if k != "protocol"}
        if not eval_mode:
            out["protocol"] = result["protocol"]
    return out


@torch.no_grad()
def median_photo_baseline(dm: Paired) -> dict[str, float]:
    """L1 / PSNR / SSIM of one fixed guess for every test image: the per-pixel median of the training photos
    (the L1-optimal constant). A model that beats it on L1 uses its input, not just the average facade."""
    photos = torch.stack([image for image, _ in dm.side("train", "B")])
    guess = photos.median(0).values
    metrics = TranslationMetrics(None)
    for target, _ in dm.side("test", "B"):
        metrics.update(guess[None], target[None])
    return {k: round(v, 4) for k, v in metrics.compute().items()}


@torch.no_grad()
def grid_rows(model: Pix2Pix, dm: Paired, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``GRID_IMAGES`` test pairs as (input, output) in the authors' mode, one image at a time."""
    side_a, side_b = dm.side("test", "A"), dm.side("test", "B")
    torch.manual_seed(seed)
    inputs = torch.stack([side_a[i][0] for i in range(GRID_IMAGES)])
    outputs = torch.cat([model.translate(x[None]) for x in inputs])
    targets = torch.stack([side_b[i][0] for i in range(GRID_IMAGES)])
    return inputs, outputs, targets


def render(report: dict[str, Any]) -> str:
    rows = []
    baseline = report["baseline_median_training_photo"]
    for metric in ("l1", "psnr", "ssim"):
        rows.append(f"| (median training photo for every input) | {metric} | {baseline[metric]:.4g} | |")
    for mode in ("authors_test_mode", "eval_mode"):
        start, end = report["start"][mode], report["end"][mode]
        for metric in [m for m in ("fid", "l1", "psnr", "ssim") if m in start]:
            rows.append(f"| {mode} | {metric} | {start[metric]:.4g} | {end[metric]:.4g} |")
    run = report["run"]
    return "\n".join(
        [
            "# pix2pix on real CMP Facades (labels -> photo), CPU budget",
            "",
            f"{run['generator_steps']} generator steps ({run['generator_steps'] / 400:.2f} epochs of the 400 "
            f"training pairs, batch 1) at {run['image_size']}x{run['image_size']} with "
            f"`{run['net_g']}`, in {run['train_wall_s'] / 60:.1f} min of training "
            f"({run['train_wall_s'] / run['generator_steps']:.2f} s per step) on {run['machine']}.",
            "",
            "| generator mode | metric | start (initial weights) | end |",
            "|---|---|---|---|",
            *rows,
            "",
            "![inputs | start outputs | end outputs | targets](pix2pix_facades_cpu.png)",
            "",
            "The first rows are a baseline that ignores the input: the per-pixel median of the 400 training "
            "photos, the best constant guess under L1. Photos' colours are not in the label maps, so L1 "
            "mostly measures colour: beating this baseline is the sign that the generator uses its input.",
            "",
            "Grid rows: the first 8 test label maps, the translations by the initial generator, by the "
            "trained generator (authors' test mode), and the real photos.",
            "",
            "Protocol: all 106 test label maps translated once, one at a time, against the 106 real test "
            f"photos, both at {run['image_size']}x{run['image_size']} (bicubic resize of the whole image, no "
            "crop). FID: standard 2015-12-05 Inception, 8-bit inputs upsampled to 299 (bilinear, TF1 grid); "
            "with 106 samples the covariance is singular and FID is biased upward: compare start with end "
            "only, not with the paper's 256x256 numbers. L1 in [-1, 1] units; PSNR and SSIM on [0, 1] "
            "images (data_range 1); SSIM with an 11x11 Gaussian window (sigma 1.5) over valid positions. "
            "'authors_test_mode' runs the generator with batch statistics and dropout as the authors' "
            "test.py does without --eval (seeded); 'eval_mode' uses running statistics and no dropout "
            "(paired metrics only).",
            "",
            f"Command: `{run['command']}`",
            "",
            "Full protocol and numbers: `pix2pix_facades_cpu.json`.",
            "",
        ]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=ROOT.parent.parent / "shared" / "data" / "facades")
    p.add_argument("--steps", type=int, default=400, help="generator steps (= training pairs seen)")
    p.add_argument(
        "--max-minutes", type=float, help="stop training earlier at this wall time (steps are reported)"
    )
    p.add_argument("--image-size", type=int, default=64, choices=(32, 64, 128, 256))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args()
    if not (args.data_dir / "train").is_dir():
        raise SystemExit(
            f"the facades AB folders (train/ val/ test/) are not at {args.data_dir}; pass --data-dir"
        )
    torch.set_num_threads(args.threads)
    L.seed_everything(args.seed)

    size = args.image_size
    dm = Paired(
        "facades",
        data_dir=args.data_dir,
        direction="BtoA",
        load_size=round(size * 286 / 256),
        crop_size=size,
        batch_size=1,
        download=False,
    )
    model = Pix2Pix(net_g=f"unet_{size}", image_size=size)
    extractor = FeatureExtractor(standard_inception())

    print("measuring the initial generator ...", flush=True)
    start_metrics = measure(model, dm, extractor, args.seed)
    inputs, start_outputs, targets = grid_rows(model, dm, args.seed)
    print(json.dumps({k: v for k, v in start_metrics.items() if k != "protocol"}), flush=True)

    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=2 * args.steps,  # Lightning counts the D and the G optimizer step
        max_epochs=-1,
        max_time=None if args.max_minutes is None else {"minutes": args.max_minutes},
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        limit_val_batches=0,
        callbacks=[Progress(every=25)],
    )
    began = time.perf_counter()
    trainer.fit(model, datamodule=dm)
    train_wall = time.perf_counter() - began
    steps = int(model.num_g_steps)

    print("measuring the trained generator ...", flush=True)
    end_metrics = measure(model, dm, extractor, args.seed)
    _, end_outputs, _ = grid_rows(model, dm, args.seed)
    print(json.dumps({k: v for k, v in end_metrics.items() if k != "protocol"}), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    grid = torch.stack([inputs, start_outputs, end_outputs, targets], dim=1).flatten(0, 1)
    save_image_grid(grid, args.out / f"{NAME}.png", nrow=4)
    report = {
        "run": {
            "command": f"OMP_NUM_THREADS={args.threads} python benchmarks/pix2pix_facades_cpu.py "
            f"--steps {args.steps} --image-size {size}"
            + ("" if args.max_minutes is None else f" --max-minutes {args.max_minutes:g}"),
            "generator_steps": steps,
            "requested_steps": args.steps,
            "image_size": size,
            "load_size": dm.load_size,
            "net_g": f"unet_{size}",
            "train_wall_s": round(train_wall, 1),
            "machine": f"{platform.processor() or platform.machine()}, {args.threads} threads, "
            f"torch {torch.__version__} (a shared machine: other jobs ran at the same time)",
            "seed": args.seed,
            "model": {k: v for k, v in model.hparams.items() if isinstance(v, (int, float, str, bool))},
        },
        "baseline_median_training_photo": median_photo_baseline(dm),
        "start": {k: v for k, v in start_metrics.items() if k != "protocol"},
        "end": {k: v for k, v in end_metrics.items() if k != "protocol"},
        "protocol": end_metrics["protocol"],
    }
    (args.out / f"{NAME}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{NAME}.md").write_text(render(report))
    print(f"wrote {args.out / NAME}.md, .json and .png", flush=True)


if __name__ == "__main__":
    main()
