"""Reading ``torch.save`` files without running code: ``weights_only=True``, and a clear refusal otherwise.

Before ``torch.load`` sees a file, its first bytes say whether it is one at all (a zip archive, or a legacy
pickle), so an HTML error page, a text file or random bytes are named for what they are; and a zip archive's
directory says how large its members are, so a compressed file cannot expand past ``MAX_EXPANSION`` times its
size in memory (``torch.save`` stores members uncompressed; only a crafted file deflates them).
"""

from __future__ import annotations

import pickle
import pickletools
import re
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganzoo.hub.errors import UnsafeCheckpointError

MAX_EXPANSION = 4
_ZIP, _PICKLE = b"PK\x03\x04", b"\x80"


def sniff(path: Path) -> str | None:
    """What ``path`` is instead of a ``torch.save`` file (``None``: it may be one)."""
    with open(path, "rb") as f:
        head = f.read(512)
    if not head:
        return "is empty"
    if head.startswith((_ZIP, _PICKLE)):
        return None
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return "is an HTML or XML page (a server's error or login page, not the file)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return (
            f"starts with bytes {head[:8].hex(' ')}, neither a zip archive nor a pickle: it is of another "
            "format or damaged"
        )
    return f"is a text file (it starts with {head[:60].decode('utf-8', 'replace')!r})"


def check_expansion(path: Path) -> None:
    """Refuse a zip archive whose members would take more than ``MAX_EXPANSION`` times its size to read."""
    size = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        expanded = sum(member.file_size for member in archive.infolist())
    if expanded > MAX_EXPANSION * size + (1 << 20):
        raise ValueError(
            f"refusing to load {path}: its {size:,} bytes expand to {expanded:,} "
            f"({expanded / max(size, 1):.0f}x). "
            "torch.save does not compress, so this file was made to exhaust memory or altered after saving."
        )


_OBJECT_OPCODES = {"GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD"}


def holds_objects(path: Path) -> bool:
    """Whether a plain pickle file parses and names classes or functions (read, never executed)."""
    try:
        with open(path, "rb") as f:
            return any(op.name in _OBJECT_OPCODES for op, _, _ in pickletools.genops(f))
    except Exception:  # any parse failure: not a well-formed pickle
        return False


def load_plain(path: Path, hint: str = "") -> Any:
    """The contents of a ``torch.save`` file made only of tensors and plain Python data.

    Anything else (classes, functions) could only be rebuilt by running code from the file, so it is refused
    with ``UnsafeCheckpointError``; ``hint`` says what the caller may do instead. A file that is not a
    ``torch.save`` file, or is truncated, raises ``ValueError`` naming it.
    """
    if (other := sniff(path)) is not None:
        raise ValueError(f"{path} is not a PyTorch file: it {other}. Download or write it again.")
    try:
        if zipfile.is_zipfile(path):
            check_expansion(path)
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        if not (re.search(r"Unsupported (global|class)", str(err)) or holds_objects(path)):
            reason = str(err).split("WeightsUnpickler error:")[-1].split("\n\nCheck")[0].strip()
            raise ValueError(
                f"{path} is damaged or not a PyTorch file: its pickle data does not parse ({reason}). "
                "Download or write it again."
            ) from err
        raise UnsafeCheckpointError(
            f"refusing to load {path}: it holds Python objects beyond tensors and plain data, which only "
            f"arbitrary code could rebuild, and ganzoo never unpickles those ({str(err).splitlines()[0]})."
            + (f" {hint}" if hint else "")
        ) from err
    except (RuntimeError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"cannot read {path}: it is truncated or damaged ({str(err).splitlines()[0]}). Download or "
            "write it again."
        ) from err
