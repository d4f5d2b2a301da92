"""Where ganzoo's cache is (``cache_root``: ``$GANZOO_CACHE``, else ``<HF_HOME>/ganzoo``, read at call time)
and how ganzoo writes into it: staged beside the target, sealed with a hash, with the user's
permissions, and cleaning up after a process that died half-way.

- ``staging``: a temporary name that records its writer's pid, so the next run can tell an orphan (its
  writer is dead, or it is older than ``STALE_AFTER``) from a write in progress, and ``sweep`` removes the
  orphans and the empty ``.lock`` files nobody holds;
- ``seal`` / ``check_seal``: a sidecar ``<file>.sha256`` with the file's sha256, size and mtime; a read checks
  size + mtime (cheap) and rehashes only when they changed, once per process per file state;
- ``publish_mode``: a staged file or folder made readable as the user's umask says (``mkstemp`` / ``mkdtemp``
  create them private, 0600 / 0700).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from filelock import FileLock, Timeout

from ganzoo.hub.errors import CacheCorruptionError

STALE_AFTER = 24 * 3600.0
"""Seconds after which a staged file or an unheld lock is an orphan even if a process with its pid lives."""

SEAL_SUFFIX = ".sha256"
_INCOMPLETE = ".incomplete"
_CHUNK = 1 << 20
_checked: dict[Path, tuple[int, int]] = {}  # file -> (size, mtime_ns) whose hash this process verified


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def staging(directory: Path, name: str, *, folder: bool = False) -> Path:
    """A new private temporary file (or folder) in ``directory`` whose name carries this process's pid."""
    directory.mkdir(parents=True, exist_ok=True)
    prefix, suffix = f".{name}.{os.getpid()}.", _INCOMPLETE
    if folder:
        return Path(tempfile.mkdtemp(dir=directory, prefix=prefix, suffix=suffix))
    fd, path = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    os.close(fd)
    return Path(path)


def sweep(directory: Path) -> list[Path]:
    """Remove what dead processes left in ``directory``: staged files and folders, and unheld lock files."""
    removed = []
    if not directory.is_dir():
        return removed
    for path in directory.iterdir():
        if path.name.endswith(_INCOMPLETE) and _orphaned(path):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
        elif path.name.endswith(".lock") and _age(path) > STALE_AFTER and remove_lock(path):
            removed.append(path)
    return removed


def remove_lock(path: Path) -> bool:
    """Unlink an empty lock file if no process holds it (filelock re-checks the inode after locking, so a
    waiter on the unlinked file retries on a new one)."""
    try:
        if path.stat().st_size:
            return False
        with FileLock(str(path), timeout=0):
            path.unlink(missing_ok=True)
    except (Timeout, OSError):
        return False
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.lstat().st_mtime
    except OSError:
        return 0.0


def _orphaned(path: Path) -> bool:
    if _age(path) > STALE_AFTER:
        return True
    pid = path.name.removesuffix(_INCOMPLETE).split(".")[-2]
    if not pid.isdigit():
        return False  # not ours: leave it to its age
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def publish_mode(path: Path) -> None:
    """Give a staged file 0666 & ~umask (a folder, and the files in it, 0777 / 0666 & ~umask)."""
    umask = os.umask(0)
    os.umask(umask)
    if path.is_dir():
        path.chmod(0o777 & ~umask)
        for child in path.iterdir():
            publish_mode(child)
    else:
        path.chmod(0o666 & ~umask)


def seal_path(path: Path) -> Path:
    return path.with_name(path.name + SEAL_SUFFIX)


def seal(path: Path, sha256: str | None = None) -> str:
    """Write ``path``'s sha256, size and mtime beside it; return the hash."""
    digest = sha256 or sha256_of(path)
    stat = path.stat()
    record = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    seal_path(path).write_text(json.dumps(record) + "\n")
    _checked[path] = (stat.st_size, stat.st_mtime_ns)
    return digest


def is_sealed(path: Path) -> bool:
    """Whether ``path`` has a seal whose size and mtime it still has (a ``stat``; no hashing)."""
    try:
        stat = path.stat()
        record = json.loads(seal_path(path).read_text())
        return (stat.st_size, stat.st_mtime_ns) == (int(record["size"]), int(record["mtime_ns"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def check_seal(path: Path) -> None:
    """Raise ``CacheCorruptionError`` naming ``path`` unless it is the file that was sealed."""
    sidecar = seal_path(path)
    try:
        stat = path.stat()
        record = json.loads(sidecar.read_text())
        want, size, mtime = str(record["sha256"]), int(record["size"]), int(record["mtime_ns"])
    except FileNotFoundError as err:
        raise CacheCorruptionError(f"{err.filename} is missing", path) from err
    except (ValueError, KeyError, TypeError) as err:
        raise CacheCorruptionError(f"its checksum file {sidecar} is unreadable ({err})", path) from err
    state = (stat.st_size, stat.st_mtime_ns)
    if state == (size, mtime) or _checked.get(path) == state:
        return
    got = sha256_of(path)
    if got != want:
        raise CacheCorruptionError(
            f"it changed after it was written (size {stat.st_size} vs {size} bytes, sha256 {got} vs {want})",
            path,
        )
    _checked[path] = state  # same bytes, new mtime (copied or touched): checked once per process
    with contextlib.suppress(OSError):
        seal(path, got)
