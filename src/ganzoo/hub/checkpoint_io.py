"""How training checkpoints are written and read back: with a checksum beside them, and without unpickling.

Lightning reads a ``--ckpt_path`` with ``torch.load(weights_only=False)`` and fetches URLs into
``$TORCH_HOME/hub/checkpoints``, so a checkpoint from elsewhere could run code, then and on every later run.
``PickleFreeCheckpointIO`` reads only tensors and plain data (a ganzoo checkpoint holds nothing else), refuses
URLs (a file to resume from must be one the user has), and checks the sha256 written beside each checkpoint
when it was saved, so a truncated or altered file is named instead of resumed. ``GANModule`` installs it in
place of Lightning's default, so ``Trainer.fit(ckpt_path=...)`` is covered as well as ``ganzoo fit``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lightning.fabric.utilities.types import _PATH
from lightning.pytorch.plugins.io import TorchCheckpointIO

from ganzoo.hub.convert.torch_file import load_plain
from ganzoo.hub.errors import HashMismatchError, UnsafeCheckpointError
from ganzoo.hub.fetch import sha256_of

SUFFIX = ".sha256"


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def use_pickle_free_checkpoints(strategy: Any) -> None:
    """Give a Lightning strategy this module's checkpoint IO, unless the user chose one of their own."""
    if type(strategy.checkpoint_io) is TorchCheckpointIO:  # Lightning's default, which unpickles
        strategy.checkpoint_io = PickleFreeCheckpointIO()


class PickleFreeCheckpointIO(TorchCheckpointIO):
    """Lightning's ``TorchCheckpointIO`` with a sha256 sidecar on save and a pickle-free, verified load."""

    def save_checkpoint(self, checkpoint: dict[str, Any], path: _PATH, storage_options: Any = None) -> None:
        super().save_checkpoint(checkpoint, path, storage_options)
        path = Path(path)
        tmp = path.with_name(f".{path.name}{SUFFIX}.tmp")
        tmp.write_text(sha256_of(path) + "\n")
        os.replace(tmp, checksum_path(path))

    def load_checkpoint(
        self, path: _PATH, map_location: Any = None, weights_only: bool | None = None
    ) -> dict:
        text = os.fspath(path)
        if "://" in text:
            raise ValueError(
                f"refusing to resume from {text}: ganzoo reads checkpoints only from local files, because a "
                "downloaded checkpoint could carry code. Download it yourself, check where it came from, and "
                "pass the local path."
            )
        path = Path(text).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"checkpoint {path} does not exist")
        sidecar = checksum_path(path)
        if sidecar.is_file() and (got := sha256_of(path)) != (want := sidecar.read_text().strip()):
            raise HashMismatchError(
                f"checkpoint {path} is not the file that was saved: its sha256 is {got}, {sidecar} recorded "
                f"{want}. It was truncated or altered after it was written; resume from another checkpoint."
            )
        try:
            checkpoint = load_plain(path, "Resume only from checkpoints written by ganzoo or Lightning.")
        except UnsafeCheckpointError:
            raise
        except ValueError as err:  # not a torch.save file, truncated, or inflating past its size
            raise ValueError(
                f"cannot read checkpoint {path}: it is truncated or not a PyTorch checkpoint; resume from "
                f"another one. ({err})"
            ) from err
        if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
            raise ValueError(f"{path} is not a Lightning checkpoint: it has no 'state_dict' entry")
        return checkpoint

    def remove_checkpoint(self, path: _PATH) -> None:
        super().remove_checkpoint(path)
        checksum_path(Path(path)).unlink(missing_ok=True)
