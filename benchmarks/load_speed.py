"""Load time of a BigGAN-deep-128-sized state dict: ganzoo's safetensors cache vs ``torch.load`` of a .bin.

The state dict is written here with random weights and the tensor shapes of pytorch-pretrained-biggan's
BigGAN-deep-128 generator (about 52M values): class embedding, z projection, 10 bottleneck GenBlocks with
class-conditional batch norms, self-attention at 64x64 and the output conv. Both files sit in the page cache
(each is read once before timing), so the numbers compare deserialisation, not the disk.

    python benchmarks/load_speed.py [--repeats 15] [--out benchmarks/results/load_speed.md]
"""

from __future__ import annotations

import argparse
import itertools
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load_speed.md")
    args = parser.parse_args()

    torch.manual_seed(0)
    sd = biggan_deep_128_state_dict()
    n_values = sum(t.numel() for t in sd.values())
    with tempfile.TemporaryDirectory() as tmp:
        bin_path, st_path = Path(tmp) / "pytorch_model.bin", Path(tmp) / "model.safetensors"
        torch.save(sd, bin_path)
        save_file(sd, st_path)
        params = {k: torch.empty_like(v) for k, v in sd.items()}
        del sd
        loaders = {
            "torch.load(pytorch_model.bin, weights_only=True)": lambda: torch.load(
                bin_path, map_location="cpu", weights_only=True
            ),
            "safetensors.torch.load_file(model.safetensors)": lambda: load_file(st_path),
        }
        load_only = _best_seconds(loaders, args.repeats)
        copies = {name: _into(params, load) for name, load in loaders.items()}
        into_params = _best_seconds(copies, args.repeats)
        rows = {name: (load_only[name], into_params[name]) for name in loaders}
        size_mb = st_path.stat().st_size / 2**20
    (bin_load, bin_total), (st_load, st_total) = rows.values()
    report = "\n".join(
        [
            "# Load speed: safetensors cache vs torch.load",
            "",
            f"BigGAN-deep-128-sized state dict, {n_values / 1e6:.1f}M float32 values ({size_mb:.0f} MiB), "
            "random weights written by `benchmarks/load_speed.py`; files in the page cache; best of "
            f"{args.repeats} runs, loaders taking turns, after one warm-up, on CPU ({platform.machine()}, "
            f"{torch.get_num_threads()} threads, torch {torch.__version__}, shared machine).",
            "",
            "| loader | deserialise (s) | deserialise + copy into parameters (s) |",
            "| --- | --- | --- |",
            *(f"| `{name}` | {load:.3f} | {total:.3f} |" for name, (load, total) in rows.items()),
            "",
            "safetensors maps the file lazily, so the first column flatters it; the second (what "
            "`load_state_dict` costs, and what `ganzoo.load` does) is the one to compare.",
            "",
            f"End to end, safetensors is **{bin_total / st_total:.1f}x** faster (target: at least 2x); "
            f"deserialisation alone, {bin_load / st_load:.0f}x.",
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
