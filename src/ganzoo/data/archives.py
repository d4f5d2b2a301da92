"""Fetching a dataset archive and unpacking it without trusting its member names.

The pix2pix and CycleGAN archives hold one top folder named after the dataset (``facades/train/1.jpg``);
its contents go straight into ``data_dir``, whatever that folder is called. Members are written one by one
as plain files, so absolute paths, ``..`` components and links in an archive cannot reach outside it.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from torchvision.datasets.utils import download_url


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the destination, or is a link or device."""


def fetch(url: str, folder: Path) -> Path:
    """Download ``url`` into ``folder`` (with a progress bar); returns the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = url.rsplit("/", 1)[-1]
    download_url(url, str(folder), name)
    return folder / name


def _members(archive: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """``(name, reader)`` of every regular file; anything else that is not a folder is refused."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    with zf.open(info) as reader:
                        yield info.filename, reader
        return
    with tarfile.open(archive) as tf:
        for member in tf:
            if member.isdir():
                continue
            if not member.isfile():
                raise UnsafeArchiveError(f"{archive} holds {member.name!r}, which is a link or device")
            reader = tf.extractfile(member)
            if reader is not None:
                yield member.name, reader


def safe_relative(name: str, top: str) -> PurePosixPath | None:
    """The member's path below ``top/`` (or as is when it is not under ``top/``); ``None`` to skip it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(f"archive member {name!r} points outside the archive")
    parts = path.parts
    if parts and parts[0] == "__MACOSX":  # resource forks that macOS zip tools add
        return None
    if len(parts) > 1 and parts[0] == top:
        parts = parts[1:]
    return PurePosixPath(*parts) if parts else None


def extract(archive: Path, data_dir: Path, top: str) -> None:
    """Unpack ``archive`` into ``data_dir``, dropping its top folder ``top``; all or nothing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=f".{data_dir.name}-") as tmp:
        staging = Path(tmp)
        for name, reader in _members(archive):
            relative = safe_relative(name, top)
            if relative is None:
                continue
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                shutil.copyfileobj(reader, out)
        for child in staging.iterdir():
            destination = data_dir / child.name
            if destination.exists():
                shutil.rmtree(destination) if destination.is_dir() else destination.unlink()
            os.replace(child, destination)
