"""Loading a 1024 px StyleGAN2 (config F): from ganzoo's cache against unpickling NVIDIA's network pickle.

The pickle is written here in NVIDIA's format (random weights, config F's ``init_kwargs``; every network a
``torch_utils.persistence`` record whose tensors are nested ``torch.save`` blobs, as their files have them),
through a stand-in ``torch_utils.persistence`` module, so nothing is downloaded. Three timings, each the
best of ``--repeats`` with the files in the page cache:

1. unpickling the original file: ganzoo's restricted unpickler (``read_network_pickle``), which reads it as
   data; NVIDIA's ``legacy.load_network_pkl`` would in addition import the pickled source;
2. ``ganzoo.load(path)`` the first time: unpickle, convert, write and seal the cache entry, build the model;
3. ``ganzoo.load(path)`` again: the sealed ``config.json`` + ``model.safetensors`` entry, verified.

    python benchmarks/stylegan_load_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import torch
from torch import nn

RESULTS = Path(__file__).resolve().parent / "results"
# stylegan2-ada-pytorch's G init_kwargs for config F at 1024 (its --cfg=stylegan2).
CONFIG_F = {
    "z_dim": 512,
    "c_dim": 0,
    "w_dim": 512,
    "img_resolution": 1024,
    "img_channels": 3,
    "mapping_kwargs": {"num_layers": 8},
    "synthesis_kwargs": {"channel_base": 32768, "channel_max": 512, "num_fp16_res": 4, "conv_clamp": 256},
}


def stand_in_persistence() -> types.ModuleType:
    """A ``torch_utils.persistence`` whose reconstruction function pickle can name (it is never called)."""
    module = types.ModuleType("torch_utils.persistence")

    def _reconstruct_persistent_obj(meta: dict) -> None:
        raise AssertionError("only for writing")

    _reconstruct_persistent_obj.__module__ = module.__name__
    _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
    module._reconstruct_persistent_obj = _reconstruct_persistent_obj
    sys.modules["torch_utils"] = types.ModuleType("torch_utils")
    sys.modules[module.__name__] = module
    return module


class Record:
    """Pickles as NVIDIA's persistent objects do: the reconstruction function and the module's state."""

    def __init__(self, persistence: types.ModuleType, module: nn.Module, init_kwargs: dict) -> None:
        self.persistence = persistence
        state = {
            "_init_kwargs": init_kwargs,
            "_parameters": {k: v.detach() for k, v in module._parameters.items()},
            "_buffers": dict(module._buffers),
            "_non_persistent_buffers_set": set(module._non_persistent_buffers_set),
            "_modules": {k: Record(persistence, v, {}) for k, v in module._modules.items()},
        }
        self.meta = {"type": "class", "version": 4, "module_src": "", "class_name": type(module).__name__}
        self.meta["state"] = state

    def __reduce__(self) -> tuple[Any, tuple[dict]]:
        return self.persistence._reconstruct_persistent_obj, (self.meta,)


def write_pickle(path: Path) -> int:
    from ganzoo.models import StyleGAN2

    args = {k: v for k, v in CONFIG_F.items() if k != "synthesis_kwargs"}
    synthesis = {k: v for k, v in CONFIG_F["synthesis_kwargs"].items() if k != "num_fp16_res"}
    model = StyleGAN2(**args, synthesis_kwargs=synthesis, generator_only=True)
    g_ema = Record(stand_in_persistence(), model.generator, CONFIG_F)
    path.write_bytes(pickle.dumps({"G": None, "D": None, "G_ema": g_ema}, protocol=4))
    return sum(p.numel() for p in model.generator.parameters())


def best(fn: Any, repeats: int, before: Any = None) -> float:
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        os.environ["GANZOO_CACHE"] = str(cache)
        import ganzoo
        from ganzoo.hub.convert.nvidia_pickle import read_network_pickle

        path = Path(tmp) / "stylegan2-config-f-1024.pkl"
        params = write_pickle(path)
        path.read_bytes()  # into the page cache
        unpickle = best(lambda: read_network_pickle(path), args.repeats)
        first = best(
            lambda: ganzoo.load(str(path)),
            args.repeats,
            before=lambda: shutil.rmtree(cache, ignore_errors=True),
        )
        cached = best(lambda: ganzoo.load(str(path)), args.repeats)
        size = path.stat().st_size
    row = {
        "params": params,
        "pickle_mb": size / 2**20,
        "unpickle_s": unpickle,
        "first_load_s": first,
        "cached_load_s": cached,
        "unpickle_over_cached": unpickle / cached,
        "machine": {"platform": platform.platform(), "torch": torch.__version__, "load": os.getloadavg()[0]},
    }
    print(json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stylegan_load_speed.json").write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
