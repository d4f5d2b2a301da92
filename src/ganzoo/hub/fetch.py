"""Getting one file onto disk and proving it is the right one: the only downloader in ganzoo.

Hugging Face sources go through ``huggingface_hub`` (its cache, offline mode and file locks) and are checked
against the sha256 the Hub publishes for LFS files (the name of the cached blob) as well as the entry's
hash. Plain URLs, ``file://`` included, are streamed into ``<cache>/downloads/<key>/<sha256>/`` (one folder
per entry and content) through a staged file that is renamed into place only after it arrived whole (its
``Content-Length``, when the server gives one) and its hash matched.

A catalog hash is the full sha256 or, where a publisher gives only that, its leading hex digits (at least 8,
as in OpenMMLab file names). Where no full hash is published, the first download's full hash is pinned per
entry under ``<cache>/pins/<key>.sha256`` by the caller once the file has converted and loaded
(``record_pin``): a truncated transfer or an error page is never pinned, and from then on every source
must serve exactly that file.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.metadata
import os
import re
import urllib.request
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import hf_hub_download
from huggingface_hub.utils import LocalEntryNotFoundError

from ganzoo.hub.cache_files import cache_root, hf_cache_dir, publish_mode, sha256_of, staging, sweep
from ganzoo.hub.errors import HashMismatchError, WeightsNotFoundError

__all__ = [
    "URL",
    "Fetched",
    "HFFile",
    "ManualDownload",
    "Source",
    "discard",
    "download_path",
    "fetch",
    "is_offline",
    "known_sha256",
    "manual_path",
    "pin_path",
    "record_pin",
    "sha256_of",
    "verify",
]

_CHUNK = 1 << 20
_FULL = re.compile(r"[0-9a-f]{64}")
_PUBLISHED = re.compile(r"[0-9a-f]{8,64}")


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
class ManualDownload:
    """A file only a web page serves (a Google Drive folder): never fetched, it is read from the cache path
    ``fetch`` names once someone has downloaded it from ``page`` by hand (``how`` says what to take from the
    page) and put it there."""

    page: str
    how: str = ""


Source = HFFile | URL | ManualDownload


@dataclass(frozen=True)
class Fetched:
    """A local copy and its full sha256. ``new``: no full hash was known before this download (none or only
    a prefix published, nothing pinned yet), so the caller pins it once the file proved usable."""

    path: Path
    sha256: str
    new: bool
    by_hand: bool = False


def is_offline() -> bool:
    """``HF_HUB_OFFLINE`` as huggingface_hub reads it, but evaluated now rather than at import time."""
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}


def is_full(sha256: str | None) -> bool:
    return sha256 is not None and _FULL.fullmatch(sha256) is not None


def verify(path: Path, sha256: str, origin: str) -> Path:
    """``path`` if its hash is (or starts with) ``sha256``; else delete it and raise ``HashMismatchError``."""
    got = sha256_of(path)
    if not got.startswith(sha256.lower()):
        path.unlink(missing_ok=True)
        raise _mismatch(origin, sha256, got)
    return path


def download_path(key: str, sha256: str, filename: str) -> Path:
    """Where a URL download of ``key`` (a catalog name) with this full sha256 lives; also where to put it by
    hand when offline."""
    return cache_root() / "downloads" / key / sha256 / filename


def manual_path(key: str, filename: str) -> Path:
    """Where a file that must be downloaded in a browser (``ManualDownload``) is put by hand."""
    return cache_root() / "downloads" / key / "by-hand" / filename


def pin_path(key: str) -> Path:
    """Where the full hash of ``key``'s file is recorded when the publisher gave none (or only a prefix)."""
    return cache_root() / "pins" / f"{key}.sha256"


def known_sha256(key: str, sha256: str | None) -> str | None:
    """The full sha256 ``key``'s file must have: published, else pinned (``None``: neither)."""
    if is_full(sha256):
        return sha256
    pin = pin_path(key)
    if not pin.is_file():
        return None
    pinned = pin.read_text().strip()
    if not is_full(pinned) or (sha256 is not None and not pinned.startswith(sha256)):
        raise HashMismatchError(
            f"{pin} records {pinned!r}, which is not a sha256"
            + (f" starting with the published {sha256}" if sha256 else "")
            + f". Delete {pin} and load again to download and pin {key}'s file anew."
        )
    return pinned


def record_pin(key: str, sha256: str, origin: str, published: str | None = None) -> Path:
    """Pin ``sha256`` as ``key``'s file (``published``: the prefix its publisher gave, if any), with a warning
    that says so; return the pin file."""
    pin = pin_path(key)
    pin.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging(pin.parent, pin.name)
    tmp.write_text(sha256 + "\n")
    publish_mode(tmp)
    os.replace(tmp, pin)
    warnings.warn(
        f"{key} ({origin}) is published "
        + (f"with only the sha256 prefix {published}" if published else "without a checksum")
        + f": its full sha256 {sha256} is now pinned in {pin}, and "
        "every later download from any of its sources must match it. If its publisher has replaced the "
        "file, delete that pin to accept the new one.",
        UserWarning,
        stacklevel=3,
    )
    return pin


def discard(fetched: Fetched) -> None:
    """Delete a first download that did not prove usable, so no later load reads it again (a file placed by
    hand is the user's: it stays, and the caller's error names it)."""
    if fetched.by_hand:
        return
    blob = fetched.path.resolve()
    fetched.path.unlink(missing_ok=True)
    blob.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # a content folder of URL downloads, now empty
        fetched.path.parent.rmdir()


def fetch(sources: Sequence[Source], sha256: str | None, filename: str, *, key: str) -> Fetched:
    """A verified local copy of ``key``'s file from the first source that provides it.

    ``sha256`` is the published hash: full, a prefix, or ``None``. Without a full one the pinned hash is
    enforced; with no pin either, the result is ``new`` and the caller decides whether to ``record_pin``.
    """
    if sha256 is not None and not _PUBLISHED.fullmatch(sha256):
        raise HashMismatchError(
            f"the catalog's sha256 for {key}, {sha256!r}, is not 8 to 64 lower-case hex digits; a shorter "
            "prefix would be forged in seconds, so ganzoo does not accept it"
        )
    expected = known_sha256(key, sha256)
    sweep(cache_root() / "downloads" / key)
    failures: list[str] = []
    mismatch = False
    for source in sources:
        try:
            if isinstance(source, HFFile):
                path, got = _fetch_hf(source, expected, sha256)
            elif isinstance(source, ManualDownload):
                path, got = _placed_by_hand(source, key, expected, filename)
                return Fetched(path, got, new=expected is None, by_hand=True)
            else:
                path, got = _fetch_url(source, key, expected, sha256, filename)
            return Fetched(path, got, new=expected is None)
        except (OSError, http.client.HTTPException) as err:  # huggingface_hub and urllib raise OSErrors
            mismatch = mismatch or isinstance(err, HashMismatchError)
            failures.append(f"  {_describe(source)}: {hf_failure(err)}")
    tried = "\n".join(failures)
    wanted = _expectation(key, expected, sha256)
    if mismatch:
        raise HashMismatchError(f"no source provided {key}'s {filename} with {wanted}:\n{tried}")
    offline = " HF_HUB_OFFLINE is set, so nothing was downloaded." if is_offline() else ""
    raise WeightsNotFoundError(
        f"{filename} ({wanted}) is not cached for {key} and no source provided it.{offline}\n{tried}\n"
        + _manual_targets(sources, key, expected, filename)
        + ("\nor unset HF_HUB_OFFLINE on a machine with network access." if offline else "")
    )


def _expectation(key: str, expected: str | None, published: str | None) -> str:
    if expected is not None:
        return f"sha256 {expected}" + ("" if expected == published else f", pinned in {pin_path(key)}")
    return f"published sha256 prefix {published}" if published else "published without a checksum"


def _manual_targets(sources: Sequence[Source], key: str, expected: str | None, filename: str) -> str:
    lines = []
    for source in sources:
        if isinstance(source, HFFile):
            command = hf_download_command(source.repo_id, source.filename, "--revision", source.revision)
            lines.append(f"  the Hugging Face cache under {hf_cache_dir()} (`{command}`)")
        elif isinstance(source, ManualDownload):
            lines.append(
                f"  {manual_path(key, filename)} (download {filename} in a browser from {source.page} "
                "and save it under that name" + (f"; {source.how}" if source.how else "") + ")"
            )
        elif expected is not None:
            lines.append(f"  {download_path(key, expected, filename)} (downloaded from {source.url})")
        else:
            lines.append(
                f"  {download_path(key, '<its sha256>', filename)} (downloaded from {source.url}), with that "
                f"sha256 written to {pin_path(key)}: no hash is recorded for this file yet, so ganzoo "
                "adopts a copy it did not download only when you vouch for it"
            )
    return "Put a copy of the file at one of:\n" + "\n".join(lines)


def _mismatch(origin: str, expected: str, got: str) -> HashMismatchError:
    return HashMismatchError(
        f"sha256 mismatch for {origin}: expected {expected}, got {got}. The file was deleted; it was "
        "corrupted or truncated in transit, or the source changed. Try again; if it persists, the source "
        "no longer serves the file this entry was checked against."
    )


def _fetch_hf(source: HFFile, expected: str | None, published: str | None) -> tuple[Path, str]:
    path = Path(
        hf_hub_download(
            source.repo_id,
            source.filename,
            revision=source.revision,
            cache_dir=hf_cache_dir(),
            local_files_only=is_offline(),
        )
    )
    blob = path.resolve()  # named by the Hub's sha256 for an LFS file (its etag), so a second check
    got = sha256_of(path)
    want = expected or (blob.name if is_full(blob.name) else None) or published
    if (want is not None and not got.startswith(want)) or (is_full(blob.name) and got != blob.name):
        blob.unlink(missing_ok=True)  # and the snapshot link, so a bad copy is never served again
        path.unlink(missing_ok=True)
        raise _mismatch(_describe(source), want or blob.name, got)
    return path, got


def _fetch_url(
    source: URL, key: str, expected: str | None, published: str | None, filename: str
) -> tuple[Path, str]:
    if expected is not None:
        target = download_path(key, expected, filename)
        if target.is_file():
            return verify(target, expected, str(target)), expected
        if is_offline() and not source.url.startswith("file:"):
            raise FileNotFoundError(f"not in the cache at {target}")
    elif is_offline() and not source.url.startswith("file:"):
        raise FileNotFoundError("not downloaded yet, and no hash is pinned for a copy to be checked against")
    tmp = staging(cache_root() / "downloads" / key, filename)
    try:
        got = _download(source.url, tmp)
        want = expected or published
        if want is not None and not got.startswith(want):
            raise _mismatch(source.url, want, got)
        target = download_path(key, got, filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        publish_mode(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target, got


def _placed_by_hand(
    source: ManualDownload, key: str, expected: str | None, filename: str
) -> tuple[Path, str]:
    target = manual_path(key, filename)
    if not target.is_file():
        raise FileNotFoundError(f"not downloaded by hand yet: {source.page} serves it only in a browser")
    got = sha256_of(target)
    if expected is not None and got != expected:
        raise HashMismatchError(
            f"{target} has sha256 {got}, but {key}'s file is {expected}: it is not the file this entry was "
            f"checked against. Download it again from {source.page}."
        )
    return target, got


def _download(url: str, out_path: Path) -> str:
    """Stream ``url`` into ``out_path`` and return its sha256; a transfer shorter than announced fails."""
    digest, received = hashlib.sha256(), 0
    with open(out_path, "wb") as out, urllib.request.urlopen(url) as response:
        announced = response.headers.get("Content-Length")
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            received += len(chunk)
    if announced is not None and announced.isdigit() and received != int(announced):
        raise OSError(
            f"the transfer of {url} ended after {received} of the {announced} bytes the server announced "
            "(the connection dropped); nothing was kept. Try again."
        )
    return digest.hexdigest()


def _describe(source: Source) -> str:
    if isinstance(source, HFFile):
        return f"hf://{source.repo_id}/{source.filename}@{source.revision}"
    return source.page if isinstance(source, ManualDownload) else source.url


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
