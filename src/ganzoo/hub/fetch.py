"""Getting one file onto disk and proving it is the right one: the only downloader in ganzoo.

Hugging Face sources go through ``huggingface_hub`` (its cache, offline mode and file locks); plain URLs,
``file://`` included, are streamed into ``<cache>/downloads/<sha256>/`` through a temporary file that is
renamed into place only after its hash matched, so an interrupted or corrupted download never becomes a
cache entry. Every file is checked against its sha256 before anything reads it.

A catalog hash is the full sha256 or, where a publisher gives only that, its leading hex digits (at least 8,
as in OpenMMLab file names). A file published with no hash at all (``sha256=None``) is pinned on first
download: its hash is recorded under ``<cache>/pins/`` and every later read is checked against it, while the
converter's strict key-and-shape check guards the first read.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import urllib.request
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import hf_hub_download
from huggingface_hub.utils import LocalEntryNotFoundError

from ganzoo.hub.errors import HashMismatchError, WeightsNotFoundError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class HFFile:
    """A file in a Hugging Face repository; pin ``revision`` to a commit for published entries."""

    repo_id: str
    filename: str
    revision: str = "main"


@dataclass(frozen=True)
class URL:
    """A plain ``https://``, ``http://`` or ``file://`` URL."""

    url: str


@dataclass(frozen=True)
class ManualURL:
    """A file published only behind a page ganzoo cannot download from (a Google Drive link): never fetched;
    the user downloads it by hand (``how`` says what to take from it) and puts it where the error says."""

    url: str
    how: str = ""


Source = HFFile | URL | ManualURL


def hf_home() -> Path:
    """``$HF_HOME``, else ``$XDG_CACHE_HOME/huggingface`` (``~/.cache/huggingface``), read at call time."""
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).expanduser() / "huggingface"


def hf_cache_dir() -> Path:
    """Where ``huggingface_hub`` keeps repositories: ``$HF_HUB_CACHE`` or ``<HF_HOME>/hub``."""
    explicit = os.environ.get("HF_HUB_CACHE")
    return Path(explicit).expanduser() if explicit else hf_home() / "hub"


def cache_root() -> Path:
    """ganzoo's own cache (URL downloads, converted models): ``$GANZOO_CACHE``, else ``<HF_HOME>/ganzoo``."""
    explicit = os.environ.get("GANZOO_CACHE")
    return Path(explicit).expanduser() if explicit else hf_home() / "ganzoo"


def is_offline() -> bool:
    """``HF_HUB_OFFLINE`` as huggingface_hub reads it, but evaluated now rather than at import time."""
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, sha256: str, origin: str) -> Path:
    """``path`` if its hash is (or starts with) ``sha256``; else delete it and raise ``HashMismatchError``."""
    got = sha256_of(path)
    if len(sha256) < 8 or not got.startswith(sha256.lower()):
        path.unlink(missing_ok=True)
        raise HashMismatchError(
            f"sha256 mismatch for {origin}: expected {sha256}, got {got}. The file was deleted; it was "
            "corrupted or truncated in transit, or the source changed. Try again; if it persists, the source "
            "no longer serves the published file."
        )
    return path


def url_cache_path(sha256: str | None, filename: str, url: str = "") -> Path:
    """Where a URL download lives (also where to put it by hand when offline): by hash, else by URL."""
    key = sha256 if sha256 is not None else "url-" + hashlib.sha256(url.encode()).hexdigest()[:16]
    return cache_root() / "downloads" / key / filename


def pin_path(source: Source) -> Path:
    """Where the hash of a file published without one is recorded at its first download."""
    return cache_root() / "pins" / (hashlib.sha256(_describe(source).encode()).hexdigest()[:16] + ".sha256")


def fetch(sources: Sequence[Source], sha256: str | None, filename: str) -> Path:
    """A verified local copy of the file from the first source that provides it; ``None`` pins the hash."""
    failures: list[str] = []
    mismatch = False
    for source in sources:
        try:
            expected = sha256 if sha256 is not None else _pinned(source)
            if isinstance(source, HFFile):
                path = _fetch_hf(source, expected)
            elif isinstance(source, ManualURL):
                path = _manual(source, expected, filename)
            else:
                path = _fetch_url(source, expected, filename)
            if expected is None:
                _pin(source, path)
            return path
        except OSError as err:  # HashMismatchError and every huggingface_hub / urllib failure are OSErrors
            mismatch = mismatch or isinstance(err, HashMismatchError)
            failures.append(f"  {_describe(source)}: {hf_failure(err)}")
    tried = "\n".join(failures)
    if mismatch:
        raise HashMismatchError(f"no source provided {filename} with the expected sha256 {sha256}:\n{tried}")
    targets = "\n".join(f"  {_manual_target(s, sha256, filename)}" for s in sources)
    offline = " HF_HUB_OFFLINE is set, so nothing was downloaded." if is_offline() else ""
    hashed = f"sha256 {sha256}" if sha256 is not None else "published without a checksum"
    raise WeightsNotFoundError(
        f"{filename} ({hashed}) is not cached and no source provided it.{offline}\n{tried}\n"
        f"Put a copy of the file at one of:\n{targets}"
        + ("\nor unset HF_HUB_OFFLINE on a machine with network access." if offline else "")
    )


def _pinned(source: Source) -> str | None:
    pin = pin_path(source)
    return pin.read_text().strip() if pin.is_file() else None


def _pin(source: Source, path: Path) -> None:
    got = sha256_of(path)
    pin = pin_path(source)
    pin.parent.mkdir(parents=True, exist_ok=True)
    pin.write_text(got + "\n")
    warnings.warn(
        f"{_describe(source)} is published without a checksum: its sha256 {got} is now pinned in {pin} and "
        "every later load is checked against it (delete that file to accept a changed upload).",
        UserWarning,
        stacklevel=4,
    )


def _fetch_hf(source: HFFile, sha256: str | None) -> Path:
    path = Path(
        hf_hub_download(
            source.repo_id,
            source.filename,
            revision=source.revision,
            cache_dir=hf_cache_dir(),
            local_files_only=is_offline(),
        )
    )
    if sha256 is None:
        return path
    # The cache entry is a symlink to a blob; delete the blob too so a bad copy is never served again.
    blob = path.resolve()
    try:
        return verify(path, sha256, _describe(source))
    except HashMismatchError:
        blob.unlink(missing_ok=True)
        raise


def _fetch_url(source: URL, sha256: str | None, filename: str) -> Path:
    target = url_cache_path(sha256, filename, source.url)
    if target.is_file():
        return target if sha256 is None else verify(target, sha256, str(target))
    if is_offline() and not source.url.startswith("file:"):
        raise FileNotFoundError(f"not in the cache at {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{filename}.", suffix=".incomplete")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(source.url) as response:
            shutil.copyfileobj(response, out, _CHUNK)
        if sha256 is not None:
            verify(tmp, sha256, source.url)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        if not target.exists():
            with contextlib.suppress(OSError):  # not empty: another download of this file is under way
                target.parent.rmdir()
    return target


def manual_path(source: ManualURL, filename: str) -> Path:
    """Where a file downloaded by hand goes: ``<cache>/manual/<hash of its link>/<filename>``."""
    return cache_root() / "manual" / hashlib.sha256(source.url.encode()).hexdigest()[:16] / filename


def _manual(source: ManualURL, sha256: str | None, filename: str) -> Path:
    target = manual_path(source, filename)
    if not target.is_file():
        raise FileNotFoundError(f"published only at {source.url}, which ganzoo does not download from")
    return target if sha256 is None else verify(target, sha256, str(target))


def _describe(source: Source) -> str:
    if isinstance(source, HFFile):
        return f"hf://{source.repo_id}/{source.filename}@{source.revision}"
    return source.url


def _manual_target(source: Source, sha256: str | None, filename: str) -> str:
    if isinstance(source, ManualURL):
        how = f": {source.how}" if source.how else ""
        return f"{manual_path(source, filename)} (download it by hand from {source.url}{how})"
    if isinstance(source, HFFile):
        return (
            f"the Hugging Face cache under {hf_cache_dir()} "
            f"(`{hf_download_command(source.repo_id, source.filename, '--revision', source.revision)}`)"
        )
    return f"{url_cache_path(sha256, filename, source.url)} (downloaded from {source.url})"


def hf_download_command(*args: str) -> str:
    """The download command of the installed huggingface_hub: ``hf`` (0.34 on), else ``huggingface-cli``."""
    try:
        scripts = {e.name for e in importlib.metadata.distribution("huggingface_hub").entry_points}
    except importlib.metadata.PackageNotFoundError:
        scripts = {"hf"}
    return " ".join(("hf download" if "hf" in scripts else "huggingface-cli download", *args))


def hf_failure(err: Exception) -> object:
    """What failed, without huggingface_hub's advice to set ``local_files_only`` (ganzoo never sets it)."""
    if isinstance(err, LocalEntryNotFoundError):
        return "not in the Hugging Face cache, and not downloaded"
    return err
