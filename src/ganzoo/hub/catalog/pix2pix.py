"""The authors' pix2pix generators (``scripts/download_pix2pix_model.sh`` of pytorch-CycleGAN-and-pix2pix):
``unet_256`` with batch norm and dropout, RGB -> RGB at 256x256, each translating the way its name says."""

from __future__ import annotations

from ganzoo.hub.catalog.entry import Metric, Pretrained
from ganzoo.hub.catalog.junyanz import REPOSITORY, generator_entry, mmgen_reference_fid
from ganzoo.registry import WEIGHTS

PAPER = 'Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks", CVPR 2017'
_BASE = "http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch"


def _fid(value: float, test_images: int, direction: str) -> tuple[Metric, ...]:
    protocol = (
        f"{test_images} translated test images vs the real targets at 256x256, {direction}, generator in "
        "training mode at test time (batch statistics, dropout) as in the paper's Sec. 3.3"
    )
    return (mmgen_reference_fid(value, "pix2pix", protocol),)


def _training(dataset: str, maps: str) -> str:
    return (
        f"Trained by the authors with {REPOSITORY} (--model pix2pix --netG unet_256 --norm batch) on the "
        f"{dataset} dataset: {maps}. Their test script runs G in training mode, as translate() does by "
        "default."
    )


ENTRIES: tuple[Pretrained, ...] = (
    generator_entry(
        name="pix2pix-facades",
        model="ganzoo.models.Pix2Pix",
        url=f"{_BASE}/facades_label2photo.pth",
        paper=PAPER,
        dataset="facades",
        training=_training("facades", "label map -> facade photo (--direction BtoA)"),
        metrics=_fid(119.135, 106, "labels -> photo (b2a)"),
        zoo_card="zoo_cards/pix2pix_facades.yaml",
    ),
    generator_entry(
        name="pix2pix-edges2shoes",
        model="ganzoo.models.Pix2Pix",
        url=f"{_BASE}/edges2shoes.pth",
        paper=PAPER,
        dataset="edges2shoes",
        training=_training("edges2shoes", "edge map -> shoe photo (--direction AtoB)"),
        metrics=_fid(75.774, 200, "edges -> shoes (a2b)"),
        zoo_card="zoo_cards/pix2pix_edges2shoes.yaml",
    ),
    generator_entry(
        name="pix2pix-sat2map",
        model="ganzoo.models.Pix2Pix",
        url=f"{_BASE}/sat2map.pth",
        paper=PAPER,
        dataset="maps",
        training=_training("maps", "aerial photo -> map (--direction AtoB)"),
        metrics=_fid(149.731, 1098, "aerial -> map (a2b)"),
        zoo_card="zoo_cards/pix2pix_maps.yaml",
    ),
    generator_entry(
        name="pix2pix-map2sat",
        model="ganzoo.models.Pix2Pix",
        url=f"{_BASE}/map2sat.pth",
        paper=PAPER,
        dataset="maps",
        training=_training("maps", "map -> aerial photo (--direction BtoA)"),
        metrics=_fid(102.072, 1098, "map -> aerial (b2a)"),
    ),
    generator_entry(
        name="pix2pix-day2night",
        model="ganzoo.models.Pix2Pix",
        url=f"{_BASE}/day2night.pth",
        paper=PAPER,
        dataset="night2day",
        training=_training("night2day", "day photo -> night photo"),
    ),
)

WEIGHTS.register_all(ENTRIES)
