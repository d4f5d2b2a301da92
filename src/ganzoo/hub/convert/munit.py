"""The checkpoints NVlabs/MUNIT's trainers save and release (``gen_<iterations>.pt``, ``edges2shoes.pt``):
``torch.save({"a": gen_a.state_dict(), "b": gen_b.state_dict()})``, the two domains' auto-encoders.

``nn.munit`` keeps the authors' module names, so the only renaming is ``a.`` -> ``generator.A.`` and
``b.`` -> ``generator.B.``. Files saved by a PyTorch before 0.4.1 lack ``num_batches_tracked`` in their
instance norms; those are filled with 0. Anything else that does not fit fails ``ganzoo.load``'s strict check.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.junyanz import missing_batch_counters
from ganzoo.hub.convert.torch_file import load_plain


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    state = load_plain(path)
    if not isinstance(state, Mapping) or set(state) != {"a", "b"}:
        got = sorted(state) if isinstance(state, Mapping) else type(state).__name__
        raise ValueError(
            f"{path} is not a MUNIT / UNIT generator checkpoint: expected "
            f"{{'a': state dict, 'b': state dict}} (the authors' gen_*.pt), got {got}"
        )
    out: dict[str, Tensor] = {}
    for side, domain in (("a", "A"), ("b", "B")):
        part = dict(state[side])
        for key in missing_batch_counters(part):
            part[key] = torch.zeros((), dtype=torch.long)
        out.update({f"generator.{domain}.{k}": v for k, v in part.items()})
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    return out
