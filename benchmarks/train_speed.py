"""DCGAN training throughput: ganzoo's Trainer loop versus a plain PyTorch loop, side by side.

Both run the same algorithm with the same networks, optimizers and data: one D update on a batch (fakes
made without a graph), then one G update on fresh noise, non-saturating loss, Adam(2e-4, 0.5). The only
difference is the machinery around it (Lightning's loop, toggling, logging, step counters), which is what
the ratio measures. Rounds alternate between the two and the ratio is the median of the per-round ratios,
so that load on the machine affects both alike.

    python benchmarks/train_speed.py [--steps 30] [--rounds 3] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganzoo.losses import nonsaturating_d, nonsaturating_g
from ganzoo.models import DCGAN

RESULTS = Path(__file__).parent / "results" / "train_speed.md"


def loader(steps: int, batch: int, size: int) -> DataLoader:
    images = torch.rand(steps * batch, 3, size, size) * 2 - 1
    return DataLoader(
        TensorDataset(images, torch.zeros(len(images))), batch_size=batch, shuffle=True, drop_last=True
    )


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


class StepTimer(L.Callback):
    """Times the training batches after ``warmup`` of them."""

    def __init__(self, warmup: int, device: str) -> None:
        self.warmup, self.device, self.start, self.count = warmup, device, 0.0, 0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if batch_idx == self.warmup:
            sync(self.device)
            self.start = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if batch_idx >= self.warmup:
            self.count += 1

    def rate(self) -> float:
        sync(self.device)
        return self.count / (time.perf_counter() - self.start)


def ganzoo_rate(steps: int, warmup: int, batch: int, size: int, device: str) -> float:
    torch.manual_seed(0)
    model = DCGAN(image_size=size, channels=3)
    timer = StepTimer(warmup, device)
    trainer = L.Trainer(
        accelerator=device,
        devices=1,
        max_epochs=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[timer],
    )
    trainer.fit(model, loader(steps + warmup, batch, size))
    return timer.rate()


def plain_rate(steps: int, warmup: int, batch: int, size: int, device: str) -> float:
    torch.manual_seed(0)
    model = DCGAN(image_size=size, channels=3).to(device)
    G, D = model.generator, model.discriminator
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    start = 0.0
    for i, (real, _) in enumerate(loader(steps + warmup, batch, size)):
        if i == warmup:
            sync(device)
            start = time.perf_counter()
        real = real.to(device)
        with torch.no_grad():
            fake = G(torch.randn(batch, 100, device=device))
        d_loss = nonsaturating_d(D(real), D(fake))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_loss = nonsaturating_g(D(G(torch.randn(batch, 100, device=device))))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        float(d_loss), float(g_loss)  # like ganzoo, read both losses every step (logging, NaN checks)
    sync(device)
    return steps / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    ours, plain = [], []
    for r in range(args.rounds):
        ours.append(ganzoo_rate(args.steps, args.warmup, args.batch, args.size, args.device))
        plain.append(plain_rate(args.steps, args.warmup, args.batch, args.size, args.device))
        print(f"round {r + 1}: ganzoo {ours[-1]:.2f} steps/s, plain {plain[-1]:.2f} steps/s", flush=True)
    ratio = statistics.median(
        o / p for o, p in zip(ours, plain, strict=True)
    )  # paired: rounds share the load
    hardware = (
        torch.cuda.get_device_name()
        if args.device == "cuda"
        else f"{platform.processor() or 'CPU'}, {torch.get_num_threads()} threads"
    )
    row = (
        f"| {args.device} ({hardware}) | {args.size}x{args.size}, batch {args.batch} "
        f"| {statistics.median(ours):.2f} | {statistics.median(plain):.2f} | **{ratio:.3f}x** "
        f"| median ratio of {args.rounds} paired rounds of {args.steps} steps |"
    )
    print(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# DCGAN training speed: ganzoo vs a plain PyTorch loop\n\nOne step = one D update + one G update. "
        "Target: ganzoo >= 0.95x the plain loop.\n\n"
        "| device | setting | ganzoo steps/s | plain steps/s | ratio | protocol |\n"
        "|---|---|---|---|---|---|\n"
    )
    lines = RESULTS.read_text().splitlines(keepends=True) if RESULTS.exists() else [header]
    RESULTS.write_text("".join(lines) + row + "\n")


if __name__ == "__main__":
    main()
