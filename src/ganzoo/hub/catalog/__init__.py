"""The catalog of published weights: one module of entries per family, each entry registered by name.

Names follow ``<arch>-<dataset or task>[-<resolution>]``, where ``<arch>`` is the paper class's name in lower
case with its words split by ``-`` (``DCGAN`` -> ``dcgan``, ``WGANGP`` -> ``wgan-gp``, ``BigGANDeep`` ->
``biggan-deep``): ``dcgan-mnist``, ``pix2pix-facades``, ``biggan-deep-256``. The ImageNet BigGANs keep the
names they are published under, without the dataset. A family's zoo cards are ``<arch>_<dataset>.yaml``
with underscores. A study's reproductions are named by the study, like its cards: ``lucic-vae-mnist`` is the
best run of ``zoo_cards/lucic2018/vae_mnist.yaml``.
"""

from __future__ import annotations

from ganzoo.hub.catalog import (  # noqa: F401  (each registers its entries)
    bicyclegan,
    biggan,
    cyclegan,
    gan_zoo,
    mnist,
    munit,
    nvlabs,
    pix2pix,
    stargan,
    stylegan,
)
from ganzoo.hub.catalog.entry import (
    URL,
    WEIGHTS_DIR,
    HFFile,
    ManualDownload,
    Metric,
    Part,
    Pretrained,
    Source,
    packaged,
)
from ganzoo.hub.errors import UnknownModelError
from ganzoo.registry import WEIGHTS, close_matches

__all__ = [
    "CATALOG",
    "URL",
    "WEIGHTS_DIR",
    "HFFile",
    "ManualDownload",
    "Metric",
    "Part",
    "Pretrained",
    "Source",
    "get_entry",
    "list_models",
    "packaged",
]

CATALOG = WEIGHTS
"""Every entry by name (``ganzoo.registry.WEIGHTS``)."""


def list_models(pattern: str = "*", pretrained: bool | None = None) -> list[str]:
    """Sorted catalog names matching a shell-style ``pattern``; ``pretrained`` filters on having weights."""
    return [
        name
        for name in CATALOG.names(pattern)
        if pretrained is None or CATALOG[name].has_weights == pretrained
    ]


def get_entry(name: str) -> Pretrained:
    """The entry called ``name``; an unknown name fails with the closest names in the catalog."""
    if name in CATALOG:
        return CATALOG[name]
    close = close_matches(name, list(CATALOG))
    hint = f"Did you mean: {', '.join(close)}?" if close else "No catalog name is close to it."
    raise UnknownModelError(
        f"{name!r} is not in the ganzoo catalog nor an existing path. {hint} "
        "ganzoo.list_models() lists every name."
    )
