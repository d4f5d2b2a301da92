"""What verifying the caches costs on a warm cache, and what the safetensors cache saves over ``torch.load``.

Three comparisons, each side by side:

1. ``ganzoo.load`` of a BigGAN-deep-128 entry from its converted cache, with the verification (the seals'
   size + mtime check, the safetensors header read and the meta-device key/shape/dtype check) and without it
   (the earlier path: build the model, ``load_file``, ``load_state_dict``), both ending in the same
   ``optimize_for_inference()`` model;
2. reading the weights: the original ``pytorch_model.bin`` (random weights, the tensor shapes of
   pytorch-pretrained-biggan's BigGAN-deep-128 generator, about 52M values) with ``torch.load`` vs the
   safetensors cache, each copied into preallocated parameters;
3. reading cached reference statistics (2048-d Inception features of 10k images): the arrays alone vs
   the cache's read (the seal's size + mtime, then the arrays and their finiteness check), and the first
   read of a file, which verifies its stored checksum; plus the dataset fingerprint (a ``stat`` per file)
   that keys them, for a folder of 10k images.

All files sit in the page cache (each is read once before timing), so the numbers compare the work, not the
disk. Random weights, written to a temporary cache; nothing is downloaded.

    python benchmarks/load_speed.py [--repeats 7] [--out benchmarks/results/load_speed.md]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import Tensor

import ganzoo
from ganzoo.hub.build import build_model
from ganzoo.hub.cache_files import is_sealed, seal
from ganzoo.hub.catalog import CATALOG, URL, Pretrained, get_entry
from ganzoo.hub.fetch import sha256_of
from ganzoo.hub.folder import WEIGHTS_NAME, read_config
from ganzoo.hub.load import converted_dir
from ganzoo.metrics.stats import FeatureStats, contents_fingerprint

CH = 128
MULTIPLIERS = [16, 16, 8, 4, 2, 1]  # BigGAN-deep-128: 4x4 -> 128x128, two blocks per resolution
COND = 256  # z (128) concatenated with the class embedding (128)


def _conv(sd: dict[str, Tensor], name: str, cin: int, cout: int, k: int) -> None:
    """A spectrally normalised conv: weight, bias, and the power-iteration vector and sigma buffers."""
    sd[f"{name}.weight"] = torch.randn(cout, cin, k, k)
    sd[f"{name}.bias"] = torch.randn(cout)
    sd[f"{name}.weight_u"] = torch.randn(1, cout)
    sd[f"{name}.sv"] = torch.randn(1)


def _cond_bn(sd: dict[str, Tensor], name: str, ch: int) -> None:
    sd[f"{name}.scale.weight"] = torch.randn(ch, COND)
    sd[f"{name}.offset.weight"] = torch.randn(ch, COND)
    sd[f"{name}.running_means"] = torch.randn(51, ch)  # the published file stores one set per truncation
    sd[f"{name}.running_vars"] = torch.rand(51, ch)
    sd[f"{name}.step_size"] = torch.ones(1)


def biggan_deep_128_state_dict() -> dict[str, Tensor]:
    sd: dict[str, Tensor] = {"embeddings.weight": torch.randn(128, 1000), "embeddings.bias": torch.randn(128)}
    sd["generator.gen_z.weight"] = torch.randn(4 * 4 * CH * MULTIPLIERS[0], COND)
    sd["generator.gen_z.bias"] = torch.randn(4 * 4 * CH * MULTIPLIERS[0])
    index = 0
    for i, (cin_m, cout_m) in enumerate(itertools.pairwise(MULTIPLIERS)):
        for cin, cout in ((CH * cin_m, CH * cin_m), (CH * cin_m, CH * cout_m)):
            mid = cin // 4
            block = f"generator.layers.{index}"
            for j, ch in enumerate((cin, mid, mid, mid)):
                _cond_bn(sd, f"{block}.bn_{j}", ch)
            _conv(sd, f"{block}.conv_0", cin, mid, 1)
            _conv(sd, f"{block}.conv_1", mid, mid, 3)
            _conv(sd, f"{block}.conv_2", mid, mid, 3)
            _conv(sd, f"{block}.conv_3", mid, cout, 1)
            index += 1
        if i == 3:  # self-attention at 64x64
            ch = CH * cout_m
            attn = f"generator.layers.{index}"
            for part, cout in (("theta", ch // 8), ("phi", ch // 8), ("g", ch // 2)):
                _conv(sd, f"{attn}.snconv1x1_{part}", ch, cout, 1)
            _conv(sd, f"{attn}.snconv1x1_o_conv", ch // 2, ch, 1)
            sd[f"{attn}.gamma"] = torch.zeros(1)
            index += 1
    sd["generator.bn.weight"] = torch.ones(CH)
    sd["generator.bn.bias"] = torch.zeros(CH)
    _conv(sd, "generator.conv_to_rgb", CH, 128, 3)  # 128 output channels, of which 3 are used
    return sd


def _best_seconds(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` time of each function, run in turns so that all see the same machine load."""
    for fn in fns.values():
        fn()  # warm the page cache and the allocator
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(ts) for name, ts in times.items()}


def _into(params: dict[str, Tensor], load: Callable[[], dict[str, Tensor]]) -> Callable[[], None]:
    """Load, then copy every tensor into preallocated parameters, as ``load_state_dict`` does.

    safetensors maps the file lazily, so loading alone reads almost nothing; the copy makes both loaders
    touch every byte, which is the time a user waits for before sampling.
    """

    def run() -> None:
        for key, tensor in load().items():
            params[key].copy_(tensor)

    return run


def _unverified_load(folder: Path):
    """The path before verification: build, read the weights, load them; no seal, header or meta check."""
    config = read_config(folder)
    model = build_model(config["class_path"], config["init_args"])
    model.load_state_dict(load_file(folder / WEIGHTS_NAME), strict=True)
    return model.eval().optimize_for_inference()


def _biggan_deep_entry(tmp: Path) -> Pretrained:
    """The catalog's BigGAN-deep-128 configuration with random weights, as a ganzoo-format file:// entry."""
    init_args = dict(get_entry("biggan-deep-128").init_args)
    torch.manual_seed(0)
    model = build_model("ganzoo.models.BigGANDeep", init_args)
    weights = model.save_pretrained(tmp / "published") / WEIGHTS_NAME
    entry = Pretrained(
        name="biggan-deep-128-benchmark",
        model="ganzoo.models.BigGANDeep",
        init_args=init_args,
        sha256=sha256_of(weights),
        sources=(URL(weights.as_uri()),),
        format="ganzoo",
        filename=WEIGHTS_NAME,
        license="benchmark",
        paper="benchmark",
        dataset="random",
    )
    CATALOG[entry.name] = entry
    ganzoo.load(entry.name)  # converts once: from here on the cache is warm
    return entry


def _reference_stats(tmp: Path) -> tuple[Path, Path]:
    """A ganzoo statistics file (mu, sigma, 10k x 2048 features) and a folder of 10k small images."""
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(10_000, 2048, generator=generator)
    stats = FeatureStats.from_features(features[:4096], features=features)
    path = stats.save(tmp / "stats.npz")
    seal(path)  # as reference_stats does after writing it
    images = tmp / "images"
    images.mkdir()
    for i in range(10_000):
        (images / f"{i:05d}.png").write_bytes(b"x")
    return path, images


def _arrays_only(path: Path) -> None:
    with np.load(path, allow_pickle=False) as f:
        torch.from_numpy(f["mu"]), torch.from_numpy(f["sigma"]), torch.from_numpy(f["features"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load_speed.md")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["GANZOO_CACHE"] = str(tmp / "cache")
        entry = _biggan_deep_entry(tmp)
        folder = converted_dir(entry)
        loads = _best_seconds(
            {
                "before": lambda: _unverified_load(folder),
                "after": lambda: ganzoo.load(entry.name),
            },
            args.repeats,
        )

        torch.manual_seed(0)
        sd = biggan_deep_128_state_dict()
        n_values = sum(t.numel() for t in sd.values())
        bin_path, st_path = tmp / "pytorch_model.bin", tmp / "model.safetensors"
        torch.save(sd, bin_path)
        save_file(sd, st_path)
        params = {k: torch.empty_like(v) for k, v in sd.items()}
        del sd
        readers = {
            "torch": _into(params, lambda: torch.load(bin_path, map_location="cpu", weights_only=True)),
            "safetensors": _into(params, lambda: load_file(st_path)),
        }
        reads = _best_seconds(readers, args.repeats)
        size_mb = st_path.stat().st_size / 2**20

        stats_path, images = _reference_stats(tmp)
        stats = _best_seconds(
            {
                "arrays": lambda: _arrays_only(stats_path),
                "unchecked": lambda: FeatureStats.load(stats_path, checksum=False),
                "sealed": lambda: FeatureStats.load(stats_path, checksum=not is_sealed(stats_path)),
                "checked": lambda: FeatureStats.load(stats_path),
                "fingerprint": lambda: contents_fingerprint(images),
            },
            args.repeats,
        )
        stats_mb = stats_path.stat().st_size / 2**20

    slower = loads["after"] / loads["before"] - 1
    report = "\n".join(
        [
            "# Load speed: what verification costs on a warm cache",
            "",
            f"Best of {args.repeats} runs, taking turns, after one warm-up; files in the page cache; on CPU "
            f"({platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}, load "
            f"average {os.getloadavg()[0]:.1f} at the end). Written by `benchmarks/load_speed.py`.",
            "",
            "## `ganzoo.load` of BigGAN-deep-128 from the converted cache",
            "",
            f"The catalog's BigGAN-deep-128 configuration with random weights ({size_mb:.0f} MiB of "
            "safetensors), converted once, then loaded; both paths end in the same inference-ready model.",
            "",
            "| path | seconds |",
            "| --- | --- |",
            f"| before: build, `load_file`, `load_state_dict` (no verification) | {loads['before']:.3f} |",
            f"| after: `ganzoo.load` (seals' size + mtime, header checks) | {loads['after']:.3f} |",
            "",
            f"Verification costs **{slower:+.1%}** (target: at most +10%).",
            "",
            "## Reading the weights: original `.bin` vs the safetensors cache",
            "",
            f"BigGAN-deep-128-sized state dict, {n_values / 1e6:.1f}M float32 values, deserialised and "
            "copied into preallocated parameters (what `load_state_dict` costs).",
            "",
            "| reader | seconds |",
            "| --- | --- |",
            f"| `torch.load(pytorch_model.bin, weights_only=True)` | {reads['torch']:.3f} |",
            f"| `safetensors.torch.load_file(model.safetensors)` | {reads['safetensors']:.3f} |",
            "",
            f"safetensors is **{reads['torch'] / reads['safetensors']:.1f}x** faster (target: at least 3x). "
            "The rest of a `ganzoo.load` is building the model, which loading the original file needs too.",
            "",
            "## Reading cached reference statistics",
            "",
            f"A ganzoo `.npz` of {stats_mb:.0f} MiB (mu, sigma, 10k x 2048 features); the dataset "
            "fingerprint over a folder of 10k files.",
            "",
            "| step | seconds |",
            "| --- | --- |",
            f"| the arrays alone (`np.load`), for scale | {stats['arrays']:.3f} |",
            f"| before: `FeatureStats.load` without its checksum (validation, finiteness) | "
            f"{stats['unchecked']:.3f} |",
            f"| after, warm: seal's size + mtime, then the arrays and finiteness | {stats['sealed']:.3f} |",
            f"| after, first read of a new or changed file: checksum + finiteness | {stats['checked']:.3f} |",
            f"| dataset fingerprint (`contents_fingerprint`, 10k files) | {stats['fingerprint']:.3f} |",
            "",
            f"On a warm cache the seal check costs **{stats['sealed'] / stats['unchecked'] - 1:+.1%}**; "
            f"hashing the arrays (once per file) {stats['checked'] / stats['unchecked'] - 1:+.0%}.",
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
