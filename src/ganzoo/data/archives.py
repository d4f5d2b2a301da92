"""Fetching a dataset archive and unpacking it without trusting it, or touching what is already there.

A download goes to a new temporary file beside its target and is checked against the server's
``Content-Length`` and, where one is published, the archive's size and sha256; a short or wrong transfer is
deleted and named, so no damaged archive is ever kept for the next run. Unpacking writes into a fresh
temporary folder beside ``data_dir`` (the same file system), bounded in total size and in expansion over the
archive's own size, then moves into place only the entries that do not exist yet: a file or folder the user
already has is never deleted or overwritten. What a killed run left half-written (its temporary download
or unpacking folder, named after the process) is removed by the next run.

The pix2pix and CycleGAN archives hold one top folder named after the dataset (``facades/train/1.jpg``);
its contents go straight into ``data_dir``, whatever that folder is called. Members are written one by one
as plain files, so absolute paths, ``..`` components and links in an archive cannot reach outside it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from tqdm.auto import tqdm

MAX_EXPANSION = 20
"""How many times its own size an archive may unpack to. The datasets are JPEGs and PNGs, which do not
compress further: their archives unpack to about 1x. A zip or tar bomb reaches 1000x."""

MAX_BYTES = 1 << 40
"""Bytes an archive may unpack to at most, whatever its size (1 TiB; the largest archive here, edges2shoes,
is about 2 GB)."""

_CHUNK = 1 << 20
_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True)
class Published:
    """The size and sha256 of an archive as published by a source other than its server."""

    size: int
    sha256: str


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the destination, is a link or device, or the archive
    unpacks to more than its bounds allow."""


class DamagedArchiveError(ValueError):
    """A downloaded archive is shorter than announced, differs from the published file, or cannot be read."""


def fetch(url: str, folder: Path, published: Published | None = None) -> Path:
    """Download ``url`` into a new temporary file in ``folder`` (with a progress bar) and return its path;
    the caller deletes it. Checked against ``Content-Length`` and ``published``; a bad file is deleted."""
    folder.mkdir(parents=True, exist_ok=True)
    name = url.rsplit("/", 1)[-1]
    remove_orphans(folder, name, ".part")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=_owned_prefix(name), suffix=".part")
    path = Path(temporary)
    try:
        digest = hashlib.sha256()
        request = urllib.request.Request(url, headers={"User-Agent": "ganzoo"})
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
            announced = response.headers.get("Content-Length")
            total = int(announced) if announced and announced.isdigit() else None
            with tqdm(total=total, unit="B", unit_scale=True, desc=name) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        _check_transfer(url, path.stat().st_size, digest.hexdigest(), total, published)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _owned_prefix(name: str) -> str:
    """``.<name>.<host>-<pid>.``: temporary files say which process made them, so a later run can tell
    the leftovers of a process that was killed from the work of one still running."""
    return f".{name}.{socket.gethostname()}-{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphans(folder: Path, name: str, suffix: str) -> list[Path]:
    """Delete the temporary downloads (``.part``) or unpacking folders (``.unpacking``) of ``name`` that a
    process of this machine left in ``folder`` when it was killed; returns them."""
    host = socket.gethostname()
    removed = []
    for path in folder.glob(f".{name}.{host}-*{suffix}") if folder.is_dir() else ():
        pid = path.name[len(f".{name}.{host}-") :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)  # another run may be removing it too
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _check_transfer(
    url: str, size: int, sha256: str, announced: int | None, published: Published | None
) -> None:
    again = "it was deleted: run again to download it afresh"
    if announced is not None and size != announced:
        raise DamagedArchiveError(
            f"the download of {url} stopped after {size} of the {announced} bytes the server announced; "
            f"{again}"
        )
    if published is not None and (size, sha256) != (published.size, published.sha256):
        raise DamagedArchiveError(
            f"{url} sent {size} bytes with sha256 {sha256}, but the published archive has {published.size} "
            f"bytes with sha256 {published.sha256}: the transfer was damaged or the file on the server "
            f"changed; {again}, or fetch the published file by hand and unpack it into the data folder"
        )


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
        # tarfile ends quietly at a header cut off by a truncated download; reading the compressed stream
        # to its end makes gzip check its length and CRC, which a truncated one fails.
        while tf.fileobj.read(_CHUNK):
            pass


def _declared_size(archive: Path) -> int:
    """What a zip's directory says its files unpack to (0 for a tar: its sizes are known only by reading)."""
    if not zipfile.is_zipfile(archive):
        return 0
    with zipfile.ZipFile(archive) as zf:
        return sum(info.file_size for info in zf.infolist())


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


def extract(
    archive: Path, data_dir: Path, top: str, max_expansion: float = MAX_EXPANSION, max_bytes: int = MAX_BYTES
) -> list[Path]:
    """Unpack ``archive`` into ``data_dir``, dropping its top folder ``top``, without replacing anything
    there; returns the paths that were kept as they were (they also get a warning). All or nothing: on any
    error, including the archive unpacking to more than ``max_expansion`` times its size or ``max_bytes``,
    nothing is written and no ``data_dir`` is created."""
    limit = min(max_bytes, int(max_expansion * archive.stat().st_size))
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(data_dir.parent, data_dir.name, ".unpacking")
    owned = _owned_prefix(data_dir.name)
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=owned, suffix=".unpacking") as tmp:
        staging = Path(tmp)
        try:
            _unpack(archive, staging, top, limit)
        except _READ_ERRORS as err:
            raise DamagedArchiveError(
                f"{archive} cannot be read ({' '.join(str(err).split())}): it is truncated or damaged"
            ) from err
        except UnsafeArchiveError as err:
            raise UnsafeArchiveError(f"{err}; nothing was written to {data_dir}") from None
        data_dir.mkdir(parents=True, exist_ok=True)
        kept = _move_missing(staging, data_dir)
    if kept:
        warnings.warn(
            f"{len(kept)} entries of {archive.name} were not unpacked because {data_dir} already has them "
            f"(first: {kept[0]}); they were left as they are",
            stacklevel=2,
        )
    return kept


def _unpack(archive: Path, staging: Path, top: str, limit: int) -> None:
    declared = _declared_size(archive)
    if declared > limit:
        what = f"says it unpacks to {declared} bytes, more than"
        raise UnsafeArchiveError(_too_large(archive, what, limit))
    written = 0
    for name, reader in _members(archive):
        relative = safe_relative(name, top)
        if relative is None:
            continue
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            while chunk := reader.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise UnsafeArchiveError(_too_large(archive, "would unpack to more than", limit))
                out.write(chunk)


def _too_large(archive: Path, what: str, limit: int) -> str:
    packed = archive.stat().st_size
    return (
        f"{archive} ({packed} bytes) {what} the bound of {limit} bytes ({limit / max(packed, 1):.0f}x its "
        f"size): refused as an archive bomb (unpack it by hand if you trust it)"
    )


def _move_missing(source: Path, destination: Path) -> list[Path]:
    """Move each entry of ``source`` to ``destination`` where nothing is there yet, merging into folders
    that are; returns the paths that already existed (links among them are neither followed nor replaced)."""
    kept = []
    for child in sorted(source.iterdir()):
        target = destination / child.name
        if not os.path.lexists(target):
            os.replace(child, target)
        elif child.is_dir() and target.is_dir() and not target.is_symlink():
            kept += _move_missing(child, target)
        else:
            kept.append(target)
    return kept
