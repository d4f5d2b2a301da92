"""What the classifiers ganzoo trains to judge generated images share: they are trained once per dataset
folder and their weights cached as safetensors, keyed by the folder's contents and the training settings,
so every later evaluation reads the same judge; and they predict in eval mode, in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from ganzoo.hub.cache_files import cache_root
from ganzoo.metrics.stats import contents_fingerprint

M = TypeVar("M", bound=nn.Module)


def cached_judge(name: str, data_dir: str | Path, settings: str, model: M, train: Callable[[Path], M]) -> M:
    """``model`` with the weights cached for ``name`` trained on ``data_dir`` with ``settings``: loaded, or
    ``train(folder)`` (minutes on a CPU) and cached."""
    folder = Path(data_dir).expanduser().resolve()
    key = f"{name}-{contents_fingerprint(folder)}-{settings}"
    path = cache_root() / "metrics" / "classifier" / f"{key}.safetensors"
    if path.is_file():
        model.load_state_dict(load_file(path))
        return model.eval()
    model = train(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save_file(model.state_dict(), tmp)
    tmp.replace(path)
    return model.eval()


@torch.no_grad()
def eval_logits(model: nn.Module, images: Tensor, batch_size: int = 500) -> Tensor:
    """``model``'s logits for ``images`` in eval mode, in batches; its mode is restored after."""
    was_training = model.training
    model.eval()
    try:
        return torch.cat([model(chunk) for chunk in images.split(batch_size)])
    finally:
        model.train(was_training)
