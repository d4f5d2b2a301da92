"""What the pix2pix and CycleGAN entries share: the authors' repository and license, and the entry shape."""

from __future__ import annotations

from ganzoo.hub.catalog.entry import URL, Metric, Pretrained

REPOSITORY = "https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix"
LICENSE = "BSD-2-Clause"


def mmgen_reference_fid(value: float, readme: str, protocol: str) -> Metric:
    """A reference FID from MMGeneration's tables, which evaluate the authors' official implementation.

    MMGeneration reports it as the 'official' row of configs/<readme>/README.md; it does not say whether
    it evaluated these released files or a model it trained with the authors' code (it also lists
    'official' settings the authors never released), so the number is a reference, not a measurement
    of this file.
    """
    return Metric(
        "FID",
        value,
        f"reference value, not measured on this file: 'official' row of open-mmlab/mmgeneration "
        f"configs/{readme}/README.md (MMGeneration's FID and Inception; {protocol})",
    )


def generator_entry(
    *,
    name: str,
    model: str,
    url: str,
    paper: str,
    dataset: str,
    training: str,
    metrics: tuple[Metric, ...] = (),
    zoo_card: str | None = None,
) -> Pretrained:
    """An authors' ``.pth`` (one generator, published with no checksum) for ``model`` built generator-only."""
    return Pretrained(
        name=name,
        model=model,
        init_args={"generator_only": True},
        sha256=None,
        sources=(URL(url),),
        format="junyanz",
        filename=url.rpartition("/")[2],
        license=LICENSE,
        paper=paper,
        dataset=dataset,
        metrics=metrics,
        zoo_card=zoo_card,
        training=training,
    )
