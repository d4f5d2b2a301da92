"""StyleGAN2 / StyleGAN3-T sampling on a CPU: the eager networks against the path ``ganzoo.load`` returns.

Random weights in the published configurations (StyleGAN2 config F at 256 and 1024, StyleGAN3-T at 256).
"eager" runs the generator as built, with fused (grouped, per-sample) modulated convolutions, NVIDIA's
default; "load path" is what ``optimize_for_inference()`` gives after ``ganzoo.load`` (on a CPU, StyleGAN2
with one shared convolution per layer; StyleGAN3 unchanged), chunked as ``sample`` chunks. Outputs of the
two are compared (max |diff|). Peak memory is the process's resident high-water mark (Linux ``VmHWM``),
measured in a fresh subprocess per case.

    python benchmarks/stylegan_sample_speed.py [--cases sg2-256 sg2-1024 sg3-256] [--batches 1 4]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

CASES = {
    "sg2-256": (
        "StyleGAN2",
        256,
        {"mapping_kwargs": {"num_layers": 8}, "synthesis_kwargs": {"channel_base": 16384}},
    ),
    "sg2-1024": ("StyleGAN2", 1024, {"mapping_kwargs": {"num_layers": 8}}),
    "sg3-256": ("StyleGAN3", 256, {"synthesis_kwargs": {"channel_base": 16384}}),
}
RESULTS = Path(__file__).parent / "results"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(case: str) -> torch.nn.Module:
    import ganzoo.models as models

    paper, res, kwargs = CASES[case]
    torch.manual_seed(0)
    return getattr(models, paper)(img_resolution=res, generator_only=True, **kwargs).eval()


def run_one(case: str, path: str, batch: int, repeats: int) -> dict:
    """In a fresh process: images/s and peak memory of one (case, path, batch)."""
    model = build(case)
    if path == "load":
        model.optimize_for_inference()
    z = torch.randn(batch, 512, generator=torch.Generator().manual_seed(1))
    times = []
    with torch.inference_mode():
        for _ in range(repeats):
            start = time.perf_counter()
            if path == "eager":
                images = model.sampling_generator(z, None, noise_mode="const")
            else:
                images = model.sample(batch, z=z)
            times.append(time.perf_counter() - start)
    torch.save(images[:1].clone(), RESULTS / f".stylegan_{case}_{path}_{batch}.pt")
    return {"images_per_s": batch / min(times), "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # case path batch, in a subprocess
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.one:
        case, path, batch = args.one
        print(json.dumps(run_one(case, path, int(batch), args.repeats)))
        return
    rows = []
    for case in args.cases:
        for batch in args.batches:
            row = {"case": case, "batch": batch}
            for path in ("eager", "load"):
                cmd = [
                    sys.executable,
                    __file__,
                    "--one",
                    case,
                    path,
                    str(batch),
                    "--repeats",
                    str(args.repeats),
                ]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                row[path] = json.loads(out.strip().splitlines()[-1])
            a = torch.load(RESULTS / f".stylegan_{case}_eager_{batch}.pt")
            b = torch.load(RESULTS / f".stylegan_{case}_load_{batch}.pt")
            row["max_abs_diff"] = float((a - b).abs().max())
            row["speedup"] = row["load"]["images_per_s"] / row["eager"]["images_per_s"]
            rows.append(row)
            print(json.dumps(row))
    for stale in RESULTS.glob(".stylegan_*.pt"):
        stale.unlink()
    result = {
        "machine": {
            "platform": platform.platform(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        },
        "rows": rows,
    }
    (RESULTS / "stylegan_sample_speed.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
