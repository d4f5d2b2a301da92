"""facebookresearch/pytorch_GAN_zoo's published ProGANs (``hubconf.py``'s ``PGAN(model_name=...)``) and the
StyleGAN configuration of the zoo.

The files are ``torch.save`` dicts read by ``ganzoo.hub.convert.gan_zoo``; their names end in the first 8 hex
digits of their sha256 (torch.hub's convention), which is all the checksum published. Each file holds its own
config; the depths here are the repository's default ``depthScales`` (``pgan_config.py``) up to the file's
scale (``_s<k>``: 4 * 2^k pixels), and loading checks them against the file's config.
"""

from __future__ import annotations

from ganzoo.hub.catalog.entry import URL, Pretrained
from ganzoo.registry import WEIGHTS

REPOSITORY = "https://github.com/facebookresearch/pytorch_GAN_zoo"
LICENSE = "BSD-3-Clause (pytorch_GAN_zoo's LICENSE, Copyright 2019 Facebook)"
PROGAN_PAPER = (
    'Karras et al., "Progressive Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018'
)
STYLEGAN_PAPER = 'Karras et al., "A Style-Based Generator Architecture for GANs", CVPR 2019'
_BASE = "https://dl.fbaipublicfiles.com/gan_zoo/PGAN"
_DEPTHS = (512, 512, 512, 512, 256, 128, 64, 32, 16)


def _progan(name: str, filename: str, scale: int, dataset: str, training: str) -> Pretrained:
    return Pretrained(
        name=name,
        model="ganzoo.models.ProGAN",
        init_args={"latent_dim": 512, "depths": list(_DEPTHS[: scale + 1])},
        sha256=filename.rpartition("-")[2].removesuffix(".pth"),
        sources=(URL(f"{_BASE}/{filename}"),),
        format="gan-zoo",
        filename=filename,
        license=LICENSE,
        paper=PROGAN_PAPER,
        dataset=dataset,
        zoo_card="zoo_cards/progan_celeba64.yaml" if dataset.startswith("celeba") else None,
        training=f"Trained by the authors of {REPOSITORY} with its ProgressiveGANTrainer ({training}); "
        "WGAN-GP with epsilon drift, minibatch stddev, Adam(1e-3, betas (0, 0.99)). Samples come from "
        "their moving-average generator (avgG), as their torch.hub model's test(getAvG=True).",
    )


ENTRIES: tuple[Pretrained, ...] = (
    _progan(
        "progan-celebahq-256",
        "celebaHQ_s6_i80000-6196db68.pth",
        6,
        "celebahq",
        "CelebA-HQ, 256x256, 80k iterations at the last scale",
    ),
    _progan(
        "progan-celebahq-512",
        "celebaHQ16_december_s7_i96000-9c72988c.pth",
        7,
        "celebahq",
        "CelebA-HQ, 512x512, 96k iterations at the last scale",
    ),
    _progan(
        "progan-celeba",
        "celebaCropped_s5_i83000-2b0acc76.pth",
        5,
        "celeba",
        "CelebA aligned faces, 128x128 centre crop (datasets.py celeba_cropped), 83k iterations at the "
        "last scale",
    ),
    _progan(
        "progan-dtd",
        "testDTD_s5_i96000-04efa39f.pth",
        5,
        "dtd",
        "the Describable Textures Dataset at 128x128; class-conditional (AC-GAN over DTD's texture classes, "
        "datasets.py's dtd config), which ganzoo's unconditional ProGAN refuses to load with that reason",
    ),
    Pretrained(
        name="stylegan-ffhq-1024",
        model="ganzoo.models.StyleGAN",
        init_args={"img_resolution": 1024},
        sha256=None,
        sources=(),
        format="gan-zoo",
        filename="",
        license=LICENSE,
        paper=STYLEGAN_PAPER,
        dataset="ffhq",
        zoo_card="zoo_cards/stylegan_celeba64.yaml",
        training="The paper's FFHQ configuration at 1024x1024. No weights: the converted FFHQ StyleGAN of "
        f"{REPOSITORY} is not among the URLs of its hubconf.py that we could read, and its network "
        "(models/networks/styleGAN.py: one w for every layer, one noise weight per layer, no style mixing) "
        "is not NVIDIA's StyleGAN, so its state dict would not map onto this model by renaming.",
    ),
)

WEIGHTS.register_all(ENTRIES)
