"""Reading ``torch.save`` files without running code: ``weights_only=True``, and a clear refusal otherwise.

Before ``torch.load`` sees a file, its first bytes say whether it is one at all (a zip archive, or a legacy
pickle), so an HTML error page, a text file or random bytes are named for what they are; and a zip archive's
directory says how large its members are, so a compressed file cannot expand past ``MAX_EXPANSION`` times its
size in memory (``torch.save`` stores members uncompressed; only a crafted file deflates them).
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import pickletools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import torch

from ganzoo.hub.errors import UnsafeCheckpointError

MAX_EXPANSION = 4
_ZIP, _PICKLE = b"PK\x03\x04", b"\x80"


@contextlib.contextmanager
def _reading(source: Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """``source`` open for reading from its start (an in-memory file is rewound again afterwards)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            yield f
    else:
        source.seek(0)
        try:
            yield source
        finally:
            source.seek(0)


def sniff(path: Path | IO[bytes]) -> str | None:
    """What ``path`` is instead of a ``torch.save`` file (``None``: it may be one)."""
    with _reading(path) as f:
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


def check_expansion(path: Path | IO[bytes]) -> None:
    """Refuse a zip archive whose members would take more than ``MAX_EXPANSION`` times its size to read."""
    with _reading(path) as f, zipfile.ZipFile(f) as archive:
        size = f.seek(0, os.SEEK_END)
        expanded = sum(member.file_size for member in archive.infolist())
    if expanded > MAX_EXPANSION * size + (1 << 20):
        raise ValueError(
            f"refusing to load {path}: its {size:,} bytes expand to {expanded:,} "
            f"({expanded / max(size, 1):.0f}x). "
            "torch.save does not compress, so this file was made to exhaust memory or altered after saving."
        )


_OBJECT_OPCODES = {"GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "BUILD"}


def holds_objects(path: Path | IO[bytes]) -> bool:
    """Whether a plain pickle file parses and names classes or functions (read, never executed)."""
    try:
        with _reading(path) as f:
            return any(op.name in _OBJECT_OPCODES for op, _, _ in pickletools.genops(f))
    except Exception:  # any parse failure: not a well-formed pickle
        return False


def load_plain(path: Path | IO[bytes], hint: str = "") -> Any:
    """The contents of a ``torch.save`` file made only of tensors and plain Python data.

    Anything else (classes, functions) could only be rebuilt by running code from the file, so it is refused
    with ``UnsafeCheckpointError``; ``hint`` says what the caller may do instead. A file that is not a
    ``torch.save`` file, or is truncated, raises ``ValueError`` naming it. ``path`` may be an open file (a
    member of an archive), named in errors by its ``name``.
    """
    where = path
    if not isinstance(path, (str, os.PathLike)):
        where = getattr(path, "name", "the file")
        path = io.BytesIO(path.read())  # read once, so it can be checked and then loaded
    if (other := sniff(path)) is not None:
        raise ValueError(f"{where} is not a PyTorch file: it {other}. Download or write it again.")
    try:
        if zipfile.is_zipfile(path):
            check_expansion(path)
        if isinstance(path, io.BytesIO):
            path.seek(0)
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        if not (re.search(r"Unsupported (global|class)", str(err)) or holds_objects(path)):
            reason = str(err).split("WeightsUnpickler error:")[-1].split("\n\nCheck")[0].strip()
            raise ValueError(
                f"{where} is damaged or not a PyTorch file: its pickle data does not parse ({reason}). "
                "Download or write it again."
            ) from err
        raise UnsafeCheckpointError(
            f"refusing to load {where}: it holds Python objects beyond tensors and plain data, which only "
            f"arbitrary code could rebuild, and ganzoo never unpickles those ({str(err).splitlines()[0]})."
            + (f" {hint}" if hint else "")
        ) from err
    except (RuntimeError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"cannot read {where}: it is truncated or damaged ({str(err).splitlines()[0]}). Download or "
            "write it again."
        ) from err
