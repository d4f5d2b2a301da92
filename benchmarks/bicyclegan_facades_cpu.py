"""BicycleGAN on the real CMP Facades within a CPU budget: a grid of one input with several z, and the
latent-regression error ||E(G(A, z)) - z||_1 and the cVAE reconstruction L1 before and after a short run.

The real ``BicycleGAN`` (the authors' losses and weights, instance norm, two 2-scale PatchGANs, batch 2) is
trained on the 400 training pairs, labels -> photo (BtoA), through the ``Paired`` DataModule and Lightning.
To fit a CPU it runs at 64x64 (``unet_64``: the authors' U-Net with z at every layer and 6 halvings; the
encoder has 3 residual blocks) at a reduced width, for a fixed number of generator steps. The paper's recipe
(256x256, 400 epochs) is ``zoo_cards/bicyclegan_facades.yaml``.

    nice python benchmarks/bicyclegan_facades_cpu.py [--steps 300] [--width 16] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import lightning as L
import torch
import torch.nn.functional as F

from ganzoo.data import Paired
from ganzoo.images import save_image_grid
from ganzoo.models import BicycleGAN

RESULTS = Path(__file__).resolve().parent / "results"
NAME = "bicyclegan_facades_cpu"
INPUTS, SAMPLES = 4, 6


@torch.no_grad()
def measure(model: BicycleGAN, dm: Paired) -> dict[str, float]:
    """On the first 16 test pairs: ||E(G(A, z)) - z||_1 for fixed z, and ||G(A, E(B)) - B||_1."""
    model.eval()
    pairs = [dm.dataset("test")[i] for i in range(16)]
    a, b = torch.stack([p["A"] for p in pairs]), torch.stack([p["B"] for p in pairs])
    z = model.latent(16, seed=1)
    regression = F.l1_loss(model.encoder(model.generator(a, z))[0], z).item()
    reconstruction = F.l1_loss(model.generator(a, model.encoder(b)[0]), b).item()
    spread = model.generator(a[:1].expand(8, -1, -1, -1), model.latent(8, seed=2)).std(0).mean().item()
    model.train()
    return {
        "latent_regression_l1": round(regression, 4),
        "reconstruction_l1": round(reconstruction, 4),
        "pixel_std_across_8_z": round(spread, 4),
    }


@torch.no_grad()
def grid(model: BicycleGAN, dm: Paired, path: Path) -> None:
    """One row per test input: the label map, the real photo, then ``SAMPLES`` outputs for random z."""
    model.eval()
    rows = []
    for i in range(INPUTS):
        pair = dm.dataset("test")[i]
        rows += [pair["A"], pair["B"], *model.translate_samples(pair["A"], SAMPLES, seed=i)]
    save_image_grid(torch.stack(rows), path, nrow=2 + SAMPLES)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--width", type=int, default=16, help="ngf = ndf = nef")
    p.add_argument(
        "--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "facades")
    )
    args = p.parse_args()
    L.seed_everything(0)
    dm = Paired(
        data_dir=args.data_dir, direction="BtoA", load_size=64, crop_size=64, batch_size=2, download=False
    )
    w = args.width
    model = BicycleGAN(net_g="unet_64", ngf=w, ndf=w, nef=w, dropout=True, image_size=64)
    start = measure(model, dm)
    t0 = time.perf_counter()
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=2 * args.steps,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, dm)
    wall = time.perf_counter() - t0
    end = measure(model, dm)
    RESULTS.mkdir(exist_ok=True)
    grid(model, dm, RESULTS / f"{NAME}.png")
    report = {
        "run": {
            "generator_steps": int(model.num_g_steps),
            "batch": 2,
            "image_size": 64,
            "width": w,
            "train_wall_s": round(wall, 1),
            "machine": platform.processor() or platform.machine(),
            "torch_threads": torch.get_num_threads(),
        },
        "start": start,
        "end": end,
        "grid": f"{NAME}.png: per row, label map | real photo | {SAMPLES} samples (z ~ N(0, I), seed = row)",
    }
    (RESULTS / f"{NAME}.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
