"""StyleGAN2 / StyleGAN3-T sampling on a CPU: the straightforward eager networks against the path
``ganzoo.load`` returns.

Random weights in the published configurations (StyleGAN2 config F at 256 and 1024, StyleGAN3-T at 256).
"eager" runs the generator as built on the whole batch, with NVIDIA's default fused (grouped, per-sample)
modulated convolutions and FIR resampling written as its definition (insert zeros, pad, filter every
channel, keep every n-th sample: ``reference_upfirdn2d`` below), bias, activation, gain and clamp as NVIDIA's
reference ``bias_act`` (a new tensor each step: ``reference_bias_act``). "load path" is what
``ganzoo.load`` gives (``optimize_for_inference()``): StyleGAN2 one image at a time, each modulated
convolution the cheaper of weight or activation modulation with demodulation from precomputed weight norms;
both with ganzoo's FIR resampling, which spends no multiply on an inserted zero or a dropped sample, and
bias/activation in place on each convolution's output. Outputs of the two are compared (max |diff|). Peak
memory is the process's resident high-water mark (Linux ``VmHWM``), measured in
a fresh subprocess per case.

    python benchmarks/stylegan_sample_speed.py [--cases sg2-256 sg2-1024 sg3-256] [--batches 1 4]
"""

from __future__ import annotations

import argparse
import json
import os
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


def reference_upfirdn2d(
    x: torch.Tensor,
    f: torch.Tensor | None,
    *,
    up: int | tuple[int, int] = 1,
    down: int | tuple[int, int] = 1,
    padding: int | list[int] = 0,
    flip_filter: bool = False,
    gain: float = 1.0,
) -> torch.Tensor:
    """``upfirdn2d`` as its definition: zero insertion, padding, a depthwise true convolution, decimation."""
    import torch.nn.functional as F

    from ganzoo.nn.upfirdn2d import _padding

    f = torch.ones(1, 1) if f is None else f
    (upx, upy), (downx, downy) = [(v, v) if isinstance(v, int) else tuple(v) for v in (up, down)]
    px0, px1, py0, py1 = _padding(padding)
    n, c, h, w = x.shape
    x = F.pad(x.reshape(n, c, h, 1, w, 1), [0, upx - 1, 0, 0, 0, upy - 1]).reshape(n, c, h * upy, w * upx)
    x = F.pad(x, [px0, px1, py0, py1])  # negative values crop
    f = f * gain ** (f.dim() / 2)
    f = f if flip_filter else f.flip(list(range(f.dim())))
    if f.dim() == 2:
        x = F.conv2d(x, f[None, None].expand(c, 1, *f.shape), groups=c)
    else:
        x = F.conv2d(x, f[None, None, None].expand(c, 1, 1, -1), groups=c)
        x = F.conv2d(x, f[None, None, :, None].expand(c, 1, -1, 1), groups=c)
    return x[:, :, ::downy, ::downx]


def reference_bias_act(
    x: torch.Tensor,
    b: torch.Tensor | None = None,
    *,
    dim: int = 1,
    activation: str = "linear",
    gain: float | None = None,
    clamp: float | None = None,
    overwrite: bool = False,
) -> torch.Tensor:
    """``bias_act`` as NVIDIA's reference implementation runs it: each step makes a new tensor."""
    from ganzoo.nn.equalized import ACTIVATIONS

    fn, default_gain = ACTIVATIONS[activation]
    if b is not None:
        x = x + b.reshape([-1 if i == dim else 1 for i in range(x.dim())])
    x = fn(x)
    gain = default_gain if gain is None else gain
    if gain != 1:
        x = x * gain
    if clamp is not None and clamp >= 0:
        x = x.clamp(-clamp, clamp)
    return x


def use_reference_ops() -> None:
    """The eager networks' FIR resampling and bias/activation as their straightforward definitions."""
    import ganzoo.nn.equalized
    import ganzoo.nn.filtered_lrelu
    import ganzoo.nn.stylegan2
    import ganzoo.nn.upfirdn2d

    ganzoo.nn.upfirdn2d.upfirdn2d = reference_upfirdn2d
    ganzoo.nn.filtered_lrelu.upfirdn2d = reference_upfirdn2d
    for module in (ganzoo.nn.equalized, ganzoo.nn.filtered_lrelu, ganzoo.nn.stylegan2):
        module.bias_act = reference_bias_act


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
    else:
        use_reference_ops()
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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # case path batch, in a subprocess
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.one:
        case, path, batch = args.one
        print(json.dumps(run_one(case, path, int(batch), args.repeats)))
        return
    out_file = RESULTS / "stylegan_sample_speed.json"
    machine = {
        "platform": platform.platform(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }
    result = {"machine": machine, "rows": []}
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
            row["load_average"] = os.getloadavg()[0]
            result["rows"].append(row)
            print(json.dumps(row), flush=True)
            out_file.write_text(json.dumps(result, indent=2) + "\n")  # row by row: a long run keeps its rows
    for stale in RESULTS.glob(".stylegan_*.pt"):
        stale.unlink()


if __name__ == "__main__":
    main()
