"""NVIDIA's released pix2pixHD and SPADE generators, published only behind Google Drive links, which ganzoo
does not download from: the offline error says which file to take from the link and where to put it.

pix2pixHD's ``label2city_1024p`` (NVIDIA/pix2pixHD README, ``scripts/test_1024p.sh``: ``--netG local --ngf
32``, 35 Cityscapes label ids plus the instance boundary map). SPADE's three models come in one archive,
``checkpoints.tar.gz`` (NVlabs/SPADE README), each ``<name>_pretrained/latest_net_G.pth``; their settings are
the dataset defaults of NVlabs/SPADE ``data/<name>_dataset.py`` (label classes with the "don't care" label,
instance maps, crop size, aspect ratio, Cityscapes' extra upsampling).
"""

from __future__ import annotations

from typing import Any

from ganzoo.hub.catalog.entry import ManualDownload, Pretrained
from ganzoo.registry import WEIGHTS

LICENSE = "CC-BY-NC-SA-4.0"
PIX2PIXHD_PAPER = (
    'Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation with Conditional GANs", '
    "CVPR 2018"
)
SPADE_PAPER = 'Park et al., "Semantic Image Synthesis with Spatially-Adaptive Normalization", CVPR 2019'
_PIX2PIXHD_DRIVE = "https://drive.google.com/file/d/1h9SykUnuZul7J3Nbms2QGH1wa85nbN2-/view"
_SPADE_DRIVE = "https://drive.google.com/file/d/12gvlTbMvUcJewQlSEaZdeb2CdOB-b8kQ/view"

# SPADE model -> its generator's settings
_SPADE: dict[str, dict[str, Any]] = {
    "coco": {"in_channels": 183, "instance_maps": True, "image_size": 256},
    "ade20k": {"in_channels": 151, "instance_maps": False, "image_size": 256},
    "cityscapes": {
        "in_channels": 35,
        "instance_maps": True,
        "image_size": 512,
        "aspect_ratio": 2.0,
        "num_upsampling_layers": "more",
    },
}


def _spade(name: str, init_args: dict[str, Any]) -> Pretrained:
    how = f"extract {name}_pretrained/latest_net_G.pth from checkpoints.tar.gz and save it under this name"
    return Pretrained(
        name=f"spade-{name}",
        model="ganzoo.models.SPADE",
        init_args={"generator_only": True, **init_args},
        sha256=None,
        sources=(ManualDownload(_SPADE_DRIVE, how),),
        format="nvlabs",
        filename=f"spade_{name}_latest_net_G.pth",
        license=LICENSE,
        paper=SPADE_PAPER,
        dataset=name,
        training=f"Trained by the authors with NVlabs/SPADE (--dataset_mode {name}, defaults).",
    )


ENTRIES: tuple[Pretrained, ...] = (
    Pretrained(
        name="pix2pixhd-label2city-1024",
        model="ganzoo.models.Pix2PixHD",
        init_args={
            "generator_only": True,
            "in_channels": 35,
            "instance_maps": True,
            "net_g": "local",
            "ngf": 32,
            "image_size": 1024,
        },
        sha256=None,
        sources=(
            ManualDownload(
                _PIX2PIXHD_DRIVE, "the label2city_1024p generator, latest_net_G.pth, saved under this name"
            ),
        ),
        format="junyanz",
        filename="pix2pixhd_label2city_1024p_latest_net_G.pth",
        license=LICENSE,
        paper=PIX2PIXHD_PAPER,
        dataset="cityscapes",
        training="Trained by the authors with NVIDIA/pix2pixHD (label2city_1024p: --netG local --ngf 32).",
    ),
    *(_spade(name, args) for name, args in _SPADE.items()),
)

WEIGHTS.register_all(ENTRIES)
