"""Real-data statistics, computed once per (dataset contents, split, resolution, extractor) and cached.

The cache key includes a fingerprint of the dataset's files (their paths, sizes and modification times), so
statistics of a folder whose images were replaced are recomputed rather than reused; a cached file that no
longer matches the checksum stored in it is deleted and recomputed. The checksum is verified once per file:
its seal (``ganzoo.hub.cache_files``) then lets later reads skip it while size and mtime are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from ganzoo.hub.cache_files import is_sealed, seal
from ganzoo.hub.fetch import cache_root
from ganzoo.metrics.extractor import FeatureExtractor, as_extractor
from ganzoo.metrics.stats import FeatureMoments, FeatureStats


def reference_dir() -> Path:
    """``<cache>/metrics/reference`` (``$GANZOO_CACHE`` moves the whole cache)."""
    return cache_root() / "metrics" / "reference"


def reference_stats(
    datamodule: Any,
    split: str = "train",
    *,
    extractor: nn.Module | None = None,
    num_samples: int | None = None,
    kid_features: int = 10_000,
    batch_size: int = 64,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
) -> FeatureStats:
    """Statistics of ``datamodule.dataset(split)``, read from the cache or computed and cached.

    Args:
        datamodule: a ganzoo DataModule (``name``, ``data_dir``, ``image_size``, ``dataset(split)``).
        split: ``"train"`` or ``"test"``.
        extractor: any module, ``None`` for the standard Inception.
        num_samples: use a random subset of this many images (seeded by ``seed``); ``None``: all of them.
        kid_features: how many raw features to keep for KID (a uniform random sample of the images used).
        batch_size: images per extractor call.
        cache_dir: where the ``.npz`` goes; defaults to ``reference_dir()``.
    """
    extractor = as_extractor(extractor)
    dataset = datamodule.dataset(split)
    total = len(dataset)
    n = total if num_samples is None else num_samples
    if not 2 <= n <= total:
        raise ValueError(
            f"num_samples must be in [2, {total}] for {datamodule.name}/{split}, got {num_samples}"
        )
    data_dir = Path(datamodule.data_dir).expanduser().resolve()
    cache = (Path(cache_dir) if cache_dir is not None else reference_dir()).expanduser().resolve()
    meta = {
        "dataset": datamodule.name,
        "data_dir": str(data_dir),
        "contents": contents_fingerprint(data_dir, exclude=cache),
        "split": split,
        "image_size": datamodule.image_size,
        "num_samples": n,
        "subset_seed": seed if n < total else None,
        "kid_features": min(kid_features, n),
        "extractor": extractor.name,
        "extractor_sha": extractor.fingerprint,
    }
    path = cache / f"{_cache_key(meta)}.npz"
    if path.is_file():
        try:
            sealed = is_sealed(path)  # unchanged since its checksum was verified: no need to hash it again
            stats = FeatureStats.load(path, checksum=not sealed)
            if not sealed:
                seal(path)
            return stats
        except ValueError as err:
            warnings.warn(f"{err}; deleting it and computing them again", RuntimeWarning, stacklevel=2)
            path.unlink()
    stats = _compute(dataset, extractor, n, kid_features, batch_size, seed)
    stats.meta = meta
    seal(stats.save(path))
    return stats


def contents_fingerprint(folder: Path, exclude: Path | None = None) -> str:
    """A short hash of every file below ``folder`` (but those below ``exclude``, the statistics cache):
    relative path, size and modification time (a ``stat`` each); ``"absent"`` for no folder (toy data)."""
    if not folder.is_dir():
        return "absent"
    digest = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file())
    for file in sorted(f for f in files if exclude is None or not f.is_relative_to(exclude)):
        stat = file.stat()
        digest.update(f"{file.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _cache_key(meta: dict[str, Any]) -> str:
    digest = hashlib.sha256(repr(sorted(meta.items())).encode()).hexdigest()[:10]
    parts = (
        meta["dataset"],
        meta["split"],
        f"{meta['image_size']}px",
        f"n{meta['num_samples']}",
        meta["extractor"],
    )
    return "-".join((*parts, digest))


def _compute(
    dataset: Any, extractor: FeatureExtractor, n: int, kid_features: int, batch_size: int, seed: int
) -> FeatureStats:
    # A random order, so that the first `kid_features` images are a uniform sample even of a sorted dataset.
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed))[:n]
    loader = DataLoader(Subset(dataset, order.tolist()), batch_size=batch_size)
    # Local: under DDP one rank computes the reference alone, so it must not wait to sync with the others.
    moments, kept = FeatureMoments(sync_on_compute=False), []
    remaining = kid_features
    for batch in loader:
        images = batch[0] if isinstance(batch, (list, tuple)) else batch
        features, _ = extractor(images)
        moments.update(features)
        if remaining > 0:
            kept.append(features[:remaining].float().cpu())
            remaining -= len(kept[-1])
    stats = moments.compute()
    stats.features = torch.cat(kept) if kept else None
    return stats
