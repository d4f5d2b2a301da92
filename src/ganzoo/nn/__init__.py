"""Building blocks shared by several papers."""

from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.biggan import BigGANDiscriminator, BigGANGenerator
from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d
from ganzoo.nn.projection import Projection
from ganzoo.nn.spectral_norm import (
    SNConv2d,
    SNEmbedding,
    SNLinear,
    biggan_pytorch_sn_state,
    fold_spectral_norm,
)

__all__ = [
    "BigGANDiscriminator",
    "BigGANGenerator",
    "ConditionalBatchNorm2d",
    "Projection",
    "SNConv2d",
    "SNEmbedding",
    "SNLinear",
    "SelfAttention",
    "biggan_pytorch_sn_state",
    "fold_spectral_norm",
]
