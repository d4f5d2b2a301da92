"""One module per paper; every class here is a ``GANModule`` usable by name in the CLI and zoo cards."""

from ganzoo.models.acgan import ACGAN
from ganzoo.models.base import GANModule
from ganzoo.models.began import BEGAN
from ganzoo.models.biggan import BigGAN
from ganzoo.models.biggan_deep import BigGANDeep
from ganzoo.models.cgan import CGAN
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN
from ganzoo.models.dragan import DRAGAN
from ganzoo.models.gan import GAN
from ganzoo.models.infogan import InfoGAN
from ganzoo.models.lsgan import LSGAN
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.sagan import SAGAN
from ganzoo.models.sngan import SNGAN
from ganzoo.models.wgan import WGAN
from ganzoo.models.wgan_gp import WGANGP

__all__ = [
    "ACGAN",
    "BEGAN",
    "CGAN",
    "DCGAN",
    "DRAGAN",
    "GAN",
    "LSGAN",
    "SAGAN",
    "SNGAN",
    "WGAN",
    "WGANGP",
    "BigGAN",
    "BigGANDeep",
    "CycleGAN",
    "GANModule",
    "InfoGAN",
    "Pix2Pix",
]
