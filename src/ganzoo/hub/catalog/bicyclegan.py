"""The authors' BicycleGAN models (``pretrained_models/download_model.sh`` of junyanz/BicycleGAN): each is two
files, the generator ``<name>_net_G.pth`` (``G_Unet_add_all``, ``unet_256``, z of 8 added to every layer)
and the encoder ``<name>_net_E.pth`` (``E_ResNet``, ``resnet_256``), instance norm, published without
checksums. The settings (input channels, direction, test size) are those of the authors'
``scripts/test_<name>.sh``.
"""

from __future__ import annotations

from ganzoo.hub.catalog.entry import URL, Part, Pretrained
from ganzoo.registry import WEIGHTS

PAPER = 'Zhu et al., "Toward Multimodal Image-to-Image Translation", NeurIPS 2017'
REPOSITORY = "https://github.com/junyanz/BicycleGAN"
_BASE = "http://efrosgans.eecs.berkeley.edu/BicycleGAN//models"

# name -> (input channels, test size, what it maps, the data's direction, zoo card)
_MODELS: dict[str, tuple[int, int, str, str, str | None]] = {
    "edges2shoes": (1, 256, "edge map -> shoe photo", "AtoB", "zoo_cards/bicyclegan_edges2shoes.yaml"),
    "edges2handbags": (1, 256, "edge map -> handbag photo", "AtoB", None),
    "night2day": (3, 256, "night photo -> day photo", "AtoB", None),
    "maps": (3, 512, "map -> aerial photo", "BtoA", None),
    "facades": (3, 256, "label map -> facade photo", "BtoA", "zoo_cards/bicyclegan_facades.yaml"),
}


def _entry(name: str, in_channels: int, size: int, maps: str, direction: str, card: str | None) -> Pretrained:
    return Pretrained(
        name=f"bicyclegan-{name}",
        model="ganzoo.models.BicycleGAN",
        init_args={"generator_only": True, "in_channels": in_channels, "image_size": size},
        sha256=None,
        sources=(URL(f"{_BASE}/{name}_net_G.pth"),),
        format="junyanz",
        filename=f"{name}_net_G.pth",
        parts=(Part("encoder.", (URL(f"{_BASE}/{name}_net_E.pth"),), f"{name}_net_E.pth"),),
        license="BSD-2-Clause",
        paper=PAPER,
        dataset=name,
        zoo_card=card,
        training=(
            f"Trained by the authors with {REPOSITORY} (--model bicycle_gan, defaults: --where_add all, "
            f"--netE resnet_256, instance norm, nz 8) on {name} ({maps}, --direction {direction}, "
            f"--input_nc {in_channels}); their test script runs it at {size}x{size}."
        ),
    )


ENTRIES: tuple[Pretrained, ...] = tuple(_entry(name, *info) for name, info in _MODELS.items())

WEIGHTS.register_all(ENTRIES)
