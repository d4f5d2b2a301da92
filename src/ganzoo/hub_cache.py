"""Getting one weight file onto disk and proving it is the right one.

Hugging Face sources go through ``huggingface_hub`` (its cache, offline mode and file locks); plain URLs,
``file://`` included, are streamed into ``<cache>/downloads/<sha256>/`` through a temporary file that is
renamed into place only after its hash matched, so an interrupted or corrupted download never becomes a
cache entry. Every file is checked against its sha256 before anything reads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from huggingface_hub import hf_hub_download

from ganzoo.catalog import URL, HFFile, Source
from ganzoo.hub_errors import HashMismatchError, WeightsNotFoundError

_CHUNK = 1 << 20


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
    """Return ``path`` if its hash is ``sha256``; otherwise delete it and raise ``HashMismatchError``."""
    got = sha256_of(path)
    if got != sha256:
        path.unlink(missing_ok=True)
        raise HashMismatchError(
            f"sha256 mismatch for {origin}: expected {sha256}, got {got}. The file was deleted; it was "
            "corrupted or truncated in transit, or the source changed. Try again; if it persists, the source "
            "no longer serves the published file."
        )
    return path


def url_cache_path(sha256: str, filename: str) -> Path:
    """Where a URL download of the file with this hash lives (also where to put it by hand when offline)."""
    return cache_root() / "downloads" / sha256 / filename


def fetch(sources: Sequence[Source], sha256: str, filename: str) -> Path:
    """A verified local copy of the file, from the first source that provides it."""
    failures: list[str] = []
    mismatch = False
    for source in sources:
        try:
            if isinstance(source, HFFile):
                return _fetch_hf(source, sha256)
            return _fetch_url(source, sha256, filename)
        except OSError as err:  # HashMismatchError and every huggingface_hub / urllib failure are OSErrors
            mismatch = mismatch or isinstance(err, HashMismatchError)
            failures.append(f"  {_describe(source)}: {err}")
    tried = "\n".join(failures)
    if mismatch:
        raise HashMismatchError(f"no source provided {filename} with the published sha256 {sha256}:\n{tried}")
    targets = "\n".join(f"  {_manual_target(s, sha256, filename)}" for s in sources)
    offline = " HF_HUB_OFFLINE is set, so nothing was downloaded." if is_offline() else ""
    raise WeightsNotFoundError(
        f"{filename} (sha256 {sha256}) is not cached and no source provided it.{offline}\n{tried}\n"
        f"Put a copy of the file at one of:\n{targets}"
        + ("\nor unset HF_HUB_OFFLINE on a machine with network access." if offline else "")
    )


def _fetch_hf(source: HFFile, sha256: str) -> Path:
    path = Path(
        hf_hub_download(
            source.repo_id,
            source.filename,
            revision=source.revision,
            cache_dir=hf_cache_dir(),
            local_files_only=is_offline(),
        )
    )
    # The cache entry is a symlink to a blob; delete the blob too so a bad copy is never served again.
    blob = path.resolve()
    try:
        return verify(path, sha256, _describe(source))
    except HashMismatchError:
        blob.unlink(missing_ok=True)
        raise


def _fetch_url(source: URL, sha256: str, filename: str) -> Path:
    target = url_cache_path(sha256, filename)
    if target.is_file():
        return verify(target, sha256, str(target))
    if is_offline() and not source.url.startswith("file:"):
        raise FileNotFoundError(f"not in the cache at {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{filename}.", suffix=".incomplete")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(source.url) as response:
            shutil.copyfileobj(response, out, _CHUNK)
        verify(tmp, sha256, source.url)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        if not target.exists():
            with contextlib.suppress(OSError):  # not empty: another download of this file is under way
                target.parent.rmdir()
    return target


def _describe(source: Source) -> str:
    if isinstance(source, HFFile):
        return f"hf://{source.repo_id}/{source.filename}@{source.revision}"
    return source.url


def _manual_target(source: Source, sha256: str, filename: str) -> str:
    if isinstance(source, HFFile):
        return (
            f"the Hugging Face cache under {hf_cache_dir()} "
            f"(`huggingface-cli download {source.repo_id} {source.filename} --revision {source.revision}`)"
        )
    return f"{url_cache_path(sha256, filename)} (downloaded from {source.url})"
