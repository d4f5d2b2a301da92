"""The authors' CycleGAN generators (``scripts/download_cyclegan_model.sh`` of pytorch-CycleGAN-and-pix2pix).

Each file holds ONE generator (``resnet_9blocks``, instance norm, no dropout, RGB -> RGB at 256x256): for
``horse2zebra`` their G_A, horse -> zebra; the reverse direction is a file of its own (``zebra2horse``).
So each entry is a ``CycleGAN(generator_only=True)`` that translates the way its name says ("AtoB").
"""

from __future__ import annotations

from ganzoo.hub.catalog.entry import Metric, Pretrained
from ganzoo.hub.catalog.junyanz import REPOSITORY, generator_entry, mmgen_reference_fid
from ganzoo.registry import WEIGHTS

PAPER = (
    'Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks", ICCV 2017'
)
_BASE = "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models"

# file name -> (dataset, what it maps)
_MODELS: dict[str, tuple[str, str]] = {
    "apple2orange": ("apple2orange", "apple -> orange"),
    "orange2apple": ("apple2orange", "orange -> apple"),
    "summer2winter_yosemite": ("summer2winter_yosemite", "summer -> winter"),
    "winter2summer_yosemite": ("summer2winter_yosemite", "winter -> summer"),
    "horse2zebra": ("horse2zebra", "horse -> zebra"),
    "zebra2horse": ("horse2zebra", "zebra -> horse"),
    "monet2photo": ("monet2photo", "Monet painting -> photo"),
    "style_monet": ("monet2photo", "photo -> Monet painting"),
    "style_cezanne": ("cezanne2photo", "photo -> Cezanne painting"),
    "style_ukiyoe": ("ukiyoe2photo", "photo -> Ukiyo-e print"),
    "style_vangogh": ("vangogh2photo", "photo -> Van Gogh painting"),
    "sat2map": ("maps", "aerial photo -> map"),
    "map2sat": ("maps", "map -> aerial photo"),
    "cityscapes_photo2label": ("cityscapes", "street photo -> label map"),
    "cityscapes_label2photo": ("cityscapes", "label map -> street photo"),
    "facades_photo2label": ("facades", "facade photo -> label map"),
    "facades_label2photo": ("facades", "label map -> facade photo"),
    "iphone2dslr_flower": ("iphone2dslr_flower", "iPhone flower photo -> DSLR-style photo"),
}


def _reference(value: float, maps: str, images: str) -> tuple[Metric, ...]:
    protocol = f"{maps} on the test split at 256x256, {images}, identity weight 0.5"
    return (mmgen_reference_fid(value, "cyclegan", protocol),)


# file name -> MMGeneration's FID of the authors' implementation for that direction
_REFERENCE_FID: dict[str, tuple[Metric, ...]] = {
    "horse2zebra": _reference(
        62.111, "horse -> zebra", "num_images=140 (testA 120 horses, testB 140 zebras)"
    ),
    "zebra2horse": _reference(138.646, "zebra -> horse", "num_images=120"),
    "summer2winter_yosemite": _reference(
        77.342, "summer -> winter", "num_images=238 (testA 309 summer, testB 238 winter)"
    ),
    "winter2summer_yosemite": _reference(72.631, "winter -> summer", "image count as in its config"),
}
_ZOO_CARDS = {
    "horse2zebra": "zoo_cards/cyclegan_horse2zebra.yaml",
    "summer2winter_yosemite": "zoo_cards/cyclegan_summer2winter.yaml",
}


def _entry(file: str, dataset: str, maps: str) -> Pretrained:
    return generator_entry(
        name="cyclegan-" + file.replace("_", "-"),
        model="ganzoo.models.CycleGAN",
        url=f"{_BASE}/{file}.pth",
        paper=PAPER,
        dataset=dataset,
        training=(
            f"Trained by the authors with {REPOSITORY} (--model cycle_gan, defaults) on {dataset}; this "
            f"file is the generator for {maps}."
        ),
        metrics=_REFERENCE_FID.get(file, ()),
        zoo_card=_ZOO_CARDS.get(dataset),
    )


ENTRIES: tuple[Pretrained, ...] = tuple(_entry(file, *info) for file, info in _MODELS.items())

WEIGHTS.register_all(ENTRIES)
