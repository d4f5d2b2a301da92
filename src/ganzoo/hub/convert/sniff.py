"""Recognising a published checkpoint format from a file's content, without unpickling it.

``pickletools.genops`` walks a pickle's opcodes without running any of them, so the globals a file would
import can be read before anything is loaded. A ``torch.save`` file is a zip archive with the pickle in
``<name>/data.pkl``.
"""

from __future__ import annotations

import pickletools
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ganzoo.hub.convert.nvidia_pickle import is_network_pickle
from ganzoo.hub.convert.torch_file import check_expansion

_GAN_ZOO_CONFIG = "models.utils.config BaseConfig"


def _torch_zip_pickle(path: Path) -> bytes | None:
    if not zipfile.is_zipfile(path):
        return None
    check_expansion(path)  # before data.pkl is read into memory
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        return archive.read(names[0]) if names else None


def pickle_globals(data: bytes) -> Iterator[str]:
    """``"module name"`` of each GLOBAL opcode (the form torch.save's protocol 2 writes)."""
    try:
        for opcode, arg, _ in pickletools.genops(data):
            if opcode.name == "GLOBAL":
                yield str(arg)
    except (ValueError, EOFError):  # a damaged pickle: what was read so far is all there is
        return


def sniff_format(path: Path) -> str | None:
    """The ``convert.FORMATS`` name of a checkpoint recognised by its content, else ``None``."""
    data = _torch_zip_pickle(path)
    if data is not None and _GAN_ZOO_CONFIG in pickle_globals(data):
        return "gan-zoo"
    if is_network_pickle(path):
        return "nvidia-pickle"
    return None
