"""Feature statistics: streamed in float64 without keeping features, saved in pytorch-fid's ``.npz`` format.

``FeatureMoments`` accumulates the sum and the sum of outer products of the features, so memory stays at
one D x D matrix however many images go through, and under DDP the partial sums of all ranks are added once
when ``compute()`` is called. ``FeatureStats`` is its result: mean and covariance in float64, plus an
optional float32 sample of raw features: for KID, which cannot be computed from moments alone, and, when
it holds every sample, for a cheaper exact FID (see ``ganzoo.metrics.fid``).

``reference_stats`` computes the real data's statistics once per (dataset contents, split, resolution,
extractor) and caches them. The cache key includes a fingerprint of the dataset's files (their paths, sizes
and modification times), so statistics of a folder whose images were replaced are recomputed rather than
reused; a cached file that no longer matches the checksum stored in it is deleted and recomputed. The
checksum is verified once per file: its seal (``ganzoo.hub.cache_files``) then lets later reads skip it while
size and mtime are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Subset
from torchmetrics import Metric
from torchmetrics.utilities import dim_zero_cat

from ganzoo.hub.cache_files import cache_root, is_sealed, seal
from ganzoo.metrics.extractor import FeatureExtractor, as_extractor


@dataclass
class FeatureStats:
    """Mean ``mu`` (D,) and covariance ``sigma`` (D, D) of a feature distribution, float64 on the CPU.

    Args:
        num_samples: how many feature vectors they were estimated from (``None`` when a file did not say).
        features: a (M, D) float32 sample of the raw features, for KID; ``None`` if not kept.
        meta: where they came from (dataset, split, image size, extractor ...), saved with them.
    """

    mu: Tensor
    sigma: Tensor
    num_samples: int | None = None
    features: Tensor | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        d = self.mu.shape[0] if self.mu.dim() == 1 else -1
        if self.mu.dim() != 1 or self.sigma.shape != (d, d):
            raise ValueError(
                f"mu must be (D,) and sigma (D, D); got {tuple(self.mu.shape)}, {tuple(self.sigma.shape)}"
            )
        if self.features is not None and (self.features.dim() != 2 or self.features.shape[1] != d):
            raise ValueError(f"features must be (M, {d}); got {tuple(self.features.shape)}")
        self.mu = self.mu.detach().to("cpu", torch.float64)
        self.sigma = self.sigma.detach().to("cpu", torch.float64)
        if not (bool(self.mu.isfinite().all()) and bool(self.sigma.isfinite().all())):
            where = self.meta.get("file", self.meta.get("dataset", "these statistics"))
            raise ValueError(f"the mean or covariance of {where} holds NaN or Inf: they cannot give a FID")

    def checksum(self) -> str:
        """sha256 of the arrays, stored in the cached file so that a damaged one is recognised."""
        digest = hashlib.sha256()
        for array in (self.mu, self.sigma, self.features):
            if array is not None:
                digest.update(array.contiguous().numpy().tobytes())
        return digest.hexdigest()

    @property
    def dim(self) -> int:
        return self.mu.shape[0]

    @classmethod
    def from_features(cls, samples: Tensor, **kwargs: Any) -> FeatureStats:
        """Mean and unbiased covariance of an (N, D) feature matrix."""
        f = samples.detach().to("cpu", torch.float64)
        if f.dim() != 2 or f.shape[0] < 2:
            raise ValueError(f"need an (N, D) feature matrix with N >= 2, got {tuple(f.shape)}")
        return cls(f.mean(0), torch.cov(f.T).reshape(f.shape[1], f.shape[1]), f.shape[0], **kwargs)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``mu`` and ``sigma`` (float64) as pytorch-fid and clean-fid do, plus ganzoo's extras."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"mu": self.mu.numpy(), "sigma": self.sigma.numpy()}
        arrays["meta"] = np.array(json.dumps(self.meta, sort_keys=True))
        if self.num_samples is not None:
            arrays["num_samples"] = np.array(self.num_samples, dtype=np.int64)
        if self.features is not None:
            arrays["features"] = self.features.detach().cpu().float().numpy()
        arrays["checksum"] = np.array(self.checksum())
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, checksum: bool = True) -> FeatureStats:
        """Read a ganzoo, pytorch-fid or clean-fid ``.npz``; ``mu`` and ``sigma`` are all it needs. A file
        that records its checksum (ganzoo's) is checked against it unless ``checksum=False`` (the caller
        knows the file is unchanged); a damaged one raises ``ValueError``."""
        try:
            with np.load(path, allow_pickle=False) as f:
                missing = {"mu", "sigma"} - set(f.files)
                if missing:
                    raise ValueError(
                        f"{path} is not a FID statistics file: no {sorted(missing)} (it has {f.files})"
                    )
                stats = cls(
                    torch.from_numpy(f["mu"].astype(np.float64)),
                    torch.from_numpy(f["sigma"].astype(np.float64)),
                    int(f["num_samples"]) if "num_samples" in f.files else None,
                    torch.from_numpy(f["features"]) if "features" in f.files else None,
                    json.loads(str(f["meta"])) if "meta" in f.files else {"file": str(path)},
                )
                recorded = str(f["checksum"]) if "checksum" in f.files else None
        except (OSError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as err:
            raise ValueError(f"{path} is damaged and cannot be read as FID statistics ({err})") from err
        if checksum and recorded is not None and recorded != stats.checksum():
            raise ValueError(f"{path} is damaged: its arrays no longer match the checksum stored with them")
        return stats


class FeatureMoments(Metric):
    """Streaming first and second moments of features; ``compute()`` gives their ``FeatureStats``.

    The feature dimension D is taken from the first batch. The first D samples are also kept (at most
    D x D floats, like the sum of outer products): when they are all the samples, they give the
    covariance's low-rank factor exactly and make FID from few samples fast.
    """

    full_state_update = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_state("total", torch.zeros(0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("outer", torch.zeros(0, 0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", torch.zeros((), dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("samples", [], dist_reduce_fx="cat")

    def update(self, features: Tensor) -> None:
        f = features.detach().to(torch.float64).flatten(1)
        if self.total.numel() == 0:
            self.total = f.new_zeros(f.shape[1])
            self.outer = f.new_zeros(f.shape[1], f.shape[1])
        elif f.shape[1] != self.total.shape[0]:
            raise ValueError(f"feature dimension changed from {self.total.shape[0]} to {f.shape[1]}")
        self.total += f.sum(0)
        self.outer.addmm_(f.T, f)  # in place: no D x D temporary
        self.count += f.shape[0]
        room = f.shape[1] - sum(len(s) for s in self.samples)
        if room > 0:  # up to D rows; never empty after an update, so every rank has rows to gather
            self.samples.append(features.detach().float().flatten(1)[:room])

    def compute(self) -> FeatureStats:
        n = int(self.count)
        if n < 2:
            raise ValueError(f"need at least 2 feature vectors to estimate a covariance, got {n}")
        mu = self.total / n
        sigma = (self.outer - n * torch.outer(mu, mu)) / (n - 1)
        warn_if_rank_deficient(n, mu.shape[0])
        samples = dim_zero_cat(self.samples)  # all of them, if there were at most D
        return FeatureStats(mu, sigma, n, samples if len(samples) == n else None)


def warn_if_rank_deficient(num_samples: int, dim: int) -> None:
    """FID from fewer samples than feature dimensions uses a singular covariance and is biased upward."""
    if num_samples < dim:
        warnings.warn(
            f"estimating a {dim}x{dim} feature covariance from only {num_samples} samples: it is singular "
            f"and the FID is biased upward, so it is not comparable with published values. Use at least "
            f"{dim} samples (the standard protocols use 10,000 or 50,000).",
            UserWarning,
            stacklevel=3,
        )


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
