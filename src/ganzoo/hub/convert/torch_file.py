"""Reading ``torch.save`` files without running code: ``weights_only=True``, and a clear refusal otherwise."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import IO, Any

import torch

from ganzoo.hub.errors import UnsafeCheckpointError


def load_plain(path: Path | IO[bytes], hint: str = "") -> Any:
    """The contents of a ``torch.save`` file made only of tensors and plain Python data.

    Anything else (classes, functions) could only be rebuilt by running code from the file, so it is refused
    with ``UnsafeCheckpointError``; ``hint`` says what the caller may do instead. ``path`` may be an open
    file (a member of an archive), named in errors by its ``name``.
    """
    where = getattr(path, "name", path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f"refusing to load {where}: it holds Python objects beyond tensors and plain data, which only "
            f"arbitrary code could rebuild, and ganzoo never unpickles those ({str(err).splitlines()[0]})."
            + (f" {hint}" if hint else "")
        ) from err
