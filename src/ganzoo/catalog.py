"""The catalog of published weights: one entry per checkpoint, with everything needed to trust and rebuild it.

An entry says which model class and arguments the weights belong to, where the file lives (Hugging Face
first, then plain URLs; ``file://`` URLs for the checkpoints that ship inside the package), its sha256, the
format a converter reads it from, and the paper, license, metrics (with protocol) and zoo card behind it.
Entries are data, kept apart from the models, in the spirit of timm's ``PretrainedCfg``.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganzoo.hub_errors import UnknownModelError

WEIGHTS_DIR = Path(__file__).parent / "weights"


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


Source = HFFile | URL


@dataclass(frozen=True)
class Metric:
    """A published number and the protocol that makes it comparable (extractor, resize, counts, split)."""

    name: str
    value: float
    protocol: str


@dataclass(frozen=True)
class Pretrained:
    """One published checkpoint. ``sources`` empty means the entry names a configuration without weights."""

    name: str
    model: str
    init_args: Mapping[str, Any]
    sha256: str
    sources: tuple[Source, ...]
    format: str
    filename: str
    license: str
    paper: str
    dataset: str
    metrics: tuple[Metric, ...] = ()
    zoo_card: str | None = None
    training: str = ""

    @property
    def has_weights(self) -> bool:
        return bool(self.sources)


def packaged(name: str, filename: str = "model.safetensors") -> URL:
    """A ``file://`` source for weights shipped inside the package, so they load on an offline machine."""
    return URL((WEIGHTS_DIR / name / filename).as_uri())


def mnist_fid_protocol(n: int) -> str:
    """The FID protocol of the shipped MNIST checkpoints (tests/hub/test_shipped.py re-measures n=500).

    FID is biased upwards below ~2048 samples, so compare these numbers only with ones measured the same way.
    """
    return (
        "standard FID Inception (TF 2015-12-05 weights, 2048-d pool3), 8-bit quantised, 32->299 TF1 bilinear "
        f"resize, grey replicated to RGB; {n} samples (model.sample, seed 0, batches of 50) vs {n} images of "
        "the MNIST test split (random subset, seed 0) at 32x32"
    )


_MNIST_TRAINING = (
    "`ganzoo fit -c {card} --data.init_args.data_dir <MNIST folder> --trainer.max_time 00:00:09:30` on 2 "
    "shared CPU cores (OMP_NUM_THREADS=1): "
    "{g} generator steps, {d} discriminator steps, batch 64. A demonstration budget, far short of the "
    "card's {epochs} epochs."
)

CATALOG: dict[str, Pretrained] = {
    entry.name: entry
    for entry in (
        Pretrained(
            name="dcgan-mnist",
            model="ganzoo.models.DCGAN",
            init_args={"latent_dim": 100, "image_size": 32, "channels": 1, "g_width": 64, "d_width": 64},
            sha256="84aebe917f6880b326b7fc235fb050ec2ebc66702b1d70477e8addab711170b3",
            sources=(packaged("dcgan-mnist"),),
            format="ganzoo",
            filename="model.safetensors",
            license="Apache-2.0",
            paper='Radford et al., "Unsupervised Representation Learning with Deep Convolutional GANs", '
            "ICLR 2016",
            dataset="mnist",
            metrics=(
                Metric("FID", 119.92, mnist_fid_protocol(500)),
                Metric("FID", 103.89, mnist_fid_protocol(2048)),
            ),
            zoo_card="zoo_cards/dcgan_mnist.yaml",
            training=_MNIST_TRAINING.format(card="zoo_cards/dcgan_mnist.yaml", g=938, d=938, epochs=25),
        ),
        Pretrained(
            name="wgan-gp-mnist",
            model="ganzoo.models.WGANGP",
            init_args={"image_size": 32, "channels": 1, "penalty_weight": 10.0, "d_steps": 5},
            sha256="d074a2252c0edad6741b103f0877d7d8e27f85ccec3c2345b5d6fee8f4c012fe",
            sources=(packaged("wgan-gp-mnist"),),
            format="ganzoo",
            filename="model.safetensors",
            license="Apache-2.0",
            paper='Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017',
            dataset="mnist",
            metrics=(
                Metric("FID", 359.71, mnist_fid_protocol(500)),
                Metric("FID", 349.48, mnist_fid_protocol(2048)),
            ),
            zoo_card="zoo_cards/wgan_gp_mnist.yaml",
            training=_MNIST_TRAINING.format(card="zoo_cards/wgan_gp_mnist.yaml", g=181, d=909, epochs=100),
        ),
    )
}


def list_models(pattern: str = "*", pretrained: bool | None = None) -> list[str]:
    """Sorted catalog names matching a shell-style ``pattern``; ``pretrained`` filters on having weights."""
    return sorted(
        name
        for name, entry in CATALOG.items()
        if fnmatch.fnmatchcase(name, pattern) and (pretrained is None or entry.has_weights == pretrained)
    )


def get_entry(name: str) -> Pretrained:
    """The entry called ``name``; an unknown name fails with the closest names in the catalog."""
    if name in CATALOG:
        return CATALOG[name]
    close = difflib.get_close_matches(name, CATALOG, n=5, cutoff=0.5)
    hint = f"Did you mean: {', '.join(close)}?" if close else f"Known names: {', '.join(sorted(CATALOG))}."
    raise UnknownModelError(
        f"{name!r} is not in the ganzoo catalog nor an existing path. {hint} "
        "ganzoo.list_models() lists every name."
    )
