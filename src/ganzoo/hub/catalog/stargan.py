"""StarGAN's published CelebA generators (``yunjey/stargan``, ``download.sh``): trained on Black_Hair,
Blond_Hair, Brown_Hair, Male and Young for 200,000 iterations, at 128x128 and at 256x256.

Each download is a zip holding the generator and the discriminator; the ``stargan`` converter reads G from
it. The authors' script fetches ``...?dl=0`` links with wget; ``?dl=1`` is Dropbox's direct-download form
of the same files, which a plain HTTP client needs. No checksum is published: the first download pins one.
"""

from __future__ import annotations

from ganzoo.hub.catalog.entry import URL, Pretrained
from ganzoo.registry import WEIGHTS

PAPER = (
    'Choi et al., "StarGAN: Unified Generative Adversarial Networks for Multi-Domain Image-to-Image '
    'Translation", CVPR 2018'
)
REPOSITORY = "https://github.com/yunjey/stargan"

# resolution -> Dropbox id and file of download.sh's pretrained-celeba-<r>x<r>
_FILES = {
    128: ("7e966qq0nlxwte4", "celeba-128x128-5attrs.zip"),
    256: ("zdq6roqf63m0v5f", "celeba-256x256-5attrs.zip"),
}


def _entry(size: int) -> Pretrained:
    dropbox_id, filename = _FILES[size]
    return Pretrained(
        name=f"stargan-celeba-{size}",
        model="ganzoo.models.StarGAN",
        init_args={"generator_only": True, "image_size": size},
        sha256=None,
        sources=(URL(f"https://www.dropbox.com/s/{dropbox_id}/{filename}?dl=1"),),
        format="stargan",
        filename=filename,
        license="MIT",
        paper=PAPER,
        dataset="celeba",
        zoo_card="zoo_cards/stargan_celeba128.yaml" if size == 128 else None,
        training=(
            f"Trained by the authors with {REPOSITORY} (main.py --dataset CelebA --image_size {size} "
            "--c_dim 5 --selected_attrs Black_Hair Blond_Hair Brown_Hair Male Young, 200,000 iterations); "
            "translate with target={attribute: 0 or 1} for all five (source= gives the input's own)."
        ),
    )


ENTRIES: tuple[Pretrained, ...] = tuple(_entry(size) for size in _FILES)

WEIGHTS.register_all(ENTRIES)
