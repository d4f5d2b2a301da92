"""One module per paper; each registers its class in ``ganzoo.registry.PAPERS``, so ``--model DCGAN``,
zoo cards and saved models find it by name. The bases: ``GANModule`` (the training loop),
``LatentGANModule`` / ``ConditionalGANModule`` (noise-to-image, ``Sampler``), ``TranslationModule`` /
``ImageTranslationModule`` (``Translator``). ``VAE`` is the one model that is not a GAN: a LightningModule
that is a ``Sampler``."""

from ganzoo.models.acgan import ACGAN
from ganzoo.models.autoencoding import AutoencodingTranslationModule
from ganzoo.models.base import GANModule, LazyRegularizer
from ganzoo.models.began import BEGAN
from ganzoo.models.bicyclegan import BicycleGAN
from ganzoo.models.biggan import BigGAN
from ganzoo.models.biggan_deep import BigGANDeep
from ganzoo.models.capabilities import MultimodalTranslator, Sampler, Translator
from ganzoo.models.cgan import CGAN
from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN
from ganzoo.models.discogan import DiscoGAN
from ganzoo.models.distancegan import DistanceGAN
from ganzoo.models.dragan import DRAGAN
from ganzoo.models.dualgan import DualGAN
from ganzoo.models.gan import GAN
from ganzoo.models.infogan import InfoGAN
from ganzoo.models.latent import LatentGANModule
from ganzoo.models.lsgan import LSGAN
from ganzoo.models.munit import MUNIT
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.pix2pixhd import Pix2PixHD
from ganzoo.models.progan import ProGAN
from ganzoo.models.sagan import SAGAN
from ganzoo.models.sngan import SNGAN
from ganzoo.models.spade import SPADE
from ganzoo.models.stargan import StarGAN
from ganzoo.models.stylegan import StyleGAN
from ganzoo.models.stylegan2 import StyleGAN2
from ganzoo.models.stylegan2_ada import StyleGAN2ADA
from ganzoo.models.stylegan3 import StyleGAN3
from ganzoo.models.translation import ImageTranslationModule, TranslationModule
from ganzoo.models.unit import UNIT
from ganzoo.models.unpaired import UnpairedTranslationModule
from ganzoo.models.vae import VAE
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
    "MUNIT",
    "SAGAN",
    "SNGAN",
    "SPADE",
    "UNIT",
    "VAE",
    "WGAN",
    "WGANGP",
    "AutoencodingTranslationModule",
    "BicycleGAN",
    "BigGAN",
    "BigGANDeep",
    "ConditionalGANModule",
    "CycleGAN",
    "DiscoGAN",
    "DistanceGAN",
    "DualGAN",
    "GANModule",
    "ImageTranslationModule",
    "InfoGAN",
    "LatentGANModule",
    "LazyRegularizer",
    "MultimodalTranslator",
    "Pix2Pix",
    "Pix2PixHD",
    "ProGAN",
    "Sampler",
    "StarGAN",
    "StyleGAN",
    "StyleGAN2",
    "StyleGAN2ADA",
    "StyleGAN3",
    "TranslationModule",
    "Translator",
    "UnpairedTranslationModule",
]
