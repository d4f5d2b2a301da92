"""What can go wrong between a checkpoint name and a loaded model, each with what to do about it."""

from __future__ import annotations


class UnknownModelError(LookupError):
    """A name that is neither in the catalog nor an existing path."""

    def __str__(self) -> str:  # LookupError would print the message quoted, as it does for a missing key
        return str(self.args[0])


class HashMismatchError(OSError):
    """A file's sha256 differs from the one recorded for it; the file has been deleted."""


class WeightsNotFoundError(FileNotFoundError):
    """No source could provide a file (offline without a cached copy, or every source failed)."""


class UnsafeCheckpointError(ValueError):
    """A checkpoint would need arbitrary code to be unpickled; ganzoo refuses to do that."""


class StateDictMismatchError(ValueError):
    """A state dict whose keys or shapes do not fit the model it is loaded into."""


class CacheCorruptionError(OSError):
    """A file in ganzoo's cache is not the one ganzoo wrote there (edited, truncated or bit-flipped)."""

    def __init__(self, why: str, path: object) -> None:
        super().__init__(f"{path} is damaged: {why}")
        self.path = path
