"""The generators ``yunjey/stargan`` publishes: a zip (``download.sh pretrained-celeba-128x128``) holding
``200000-G.ckpt`` and ``200000-D.ckpt``, each ``torch.save(net.state_dict())`` of their ``model.py``.

Only G is read (from the zip, or from a ``*-G.ckpt`` given on its own); its keys are ours under
``generator.`` because ``StarGANGenerator`` keeps the authors' module names. Files saved by a PyTorch before
0.4.1 have no ``num_batches_tracked`` in their InstanceNorm layers; those are filled with 0 as PyTorch's
loader does. Anything else that does not fit fails the strict key check of ``ganzoo.load``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.junyanz import PREFIX, missing_batch_counters
from ganzoo.hub.convert.torch_file import load_plain

GENERATOR_SUFFIX = "-G.ckpt"


def read_generator(path: Path) -> dict[str, Tensor]:
    """G's state dict from the published zip or a bare ``*-G.ckpt``, refusing anything but plain tensors."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.endswith(GENERATOR_SUFFIX)]
            if len(members) != 1:
                raise ValueError(
                    f"{path} should hold one StarGAN generator (a file ending in {GENERATOR_SUFFIX}, e.g. "
                    f"200000-G.ckpt); it holds {archive.namelist()}"
                )
            with archive.open(members[0]) as member:
                state = load_plain(member, f"(inside {path})")
    else:
        state = load_plain(path)
    if not isinstance(state, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in state.items()
    ):
        raise ValueError(
            f"{path} is not a StarGAN generator file: expected a state dict of tensors "
            f"(torch.save(G.state_dict())), got {type(state).__name__}"
        )
    return dict(state)


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    state = read_generator(path)
    for key in missing_batch_counters(state):
        state[key] = torch.zeros((), dtype=torch.long)
    out = {PREFIX + key: value for key, value in state.items()}
    # A released generator carries no training state; its step counters start at zero.
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    return out
