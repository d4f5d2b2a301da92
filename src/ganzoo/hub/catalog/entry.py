"""What a catalog entry is: a published checkpoint with everything needed to trust and rebuild it.

An entry says which model class and arguments the weights belong to, where the file lives (Hugging Face
first, then plain URLs; ``file://`` URLs for the checkpoints that ship inside the package), its sha256, the
format a converter reads it from, and the paper, license, metrics (with protocol) and zoo card behind it.
Entries are data, kept apart from the models, in the spirit of timm's ``PretrainedCfg``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganzoo.hub.fetch import URL, HFFile, ManualDownload, Source

__all__ = ["URL", "WEIGHTS_DIR", "HFFile", "ManualDownload", "Metric", "Pretrained", "Source", "packaged"]

WEIGHTS_DIR = Path(__file__).parents[1] / "weights"


@dataclass(frozen=True)
class Metric:
    """A published number and the protocol that makes it comparable (extractor, resize, counts, split)."""

    name: str
    value: float
    protocol: str


@dataclass(frozen=True)
class Part:
    """A further file of a checkpoint published as several (BicycleGAN's generator and encoder): fetched and
    checked like the main file, its tensors converted into the model's state dict under ``prefix``."""

    prefix: str
    sources: tuple[Source, ...]
    filename: str
    sha256: str | None = None


@dataclass(frozen=True)
class Pretrained:
    """One published checkpoint. ``sources`` empty means the entry names a configuration without weights.

    ``sha256`` is the file's full hash, or its leading hex digits (>= 8) where only those are published;
    ``None`` for a file published with no checksum, whose hash is then pinned at first download.
    """

    name: str
    model: str
    init_args: Mapping[str, Any]
    sha256: str | None
    sources: tuple[Source, ...]
    format: str
    filename: str
    license: str
    paper: str
    dataset: str
    metrics: tuple[Metric, ...] = ()
    zoo_card: str | None = None
    training: str = ""
    parts: tuple[Part, ...] = ()

    @property
    def has_weights(self) -> bool:
        return bool(self.sources)

    @property
    def verification(self) -> str:
        """How a download is checked, as ``ganzoo list`` shows it. Without a full published sha256, the
        first download that converts and loads is pinned for the entry, and every source must match it; a
        first source on the Hub at a fixed commit is also checked against the sha256 the Hub publishes for
        the file (its LFS pointer), so only a first download from a plain URL is trusted on first use."""
        if self.sha256 is not None:
            return "published sha256" if len(self.sha256) == 64 else "published prefix + pinned"
        first = self.sources[0] if self.sources else None
        if isinstance(first, HFFile) and re.fullmatch(r"[0-9a-f]{40}", first.revision):
            return "Hub LFS sha256 + pinned"
        return "trust on first use"


def packaged(name: str, filename: str = "model.safetensors") -> URL:
    """A ``file://`` source for weights shipped inside the package, so they load on an offline machine."""
    return URL((WEIGHTS_DIR / name / filename).as_uri())
