"""pix2pixHD's coarse-to-fine generator (Wang et al. 2018, Sec. 3.2): a global generator G1 at half resolution
and a local enhancer G2 whose front end reads the full-resolution input and whose residual back end refines
the sum of its features and G1's last feature map.

G1 is the ResNet generator with four downsamplings (``--n_downsample_global 4``) and nine blocks; G2 adds one
stride-2 front end and three blocks at full resolution. Layouts (``model.<i>``, ``model1_1.<i>``,
``model1_2.<i>``) are those of NVIDIA/pix2pixHD's ``GlobalGenerator`` / ``LocalEnhancer``, so their released
``latest_net_G.pth`` loads without renaming.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.nn.norm import NormName, norm_layer
from ganzoo.nn.resnet_generator import ResnetBlock


def global_layers(
    in_channels: int, out_channels: int, ngf: int, n_downsampling: int, n_blocks: int, norm: NormName
) -> list[nn.Module]:
    """The authors' ``GlobalGenerator.model``: 7x7 stem, ``n_downsampling`` halvings, blocks, and back."""
    layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7), norm_layer(norm, ngf)]
    layers.append(nn.ReLU(True))
    for i in range(n_downsampling):
        ch = ngf * 2**i
        layers += [nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1), norm_layer(norm, 2 * ch), nn.ReLU(True)]
    width = ngf * 2**n_downsampling
    layers += [ResnetBlock(width, norm) for _ in range(n_blocks)]
    for i in range(n_downsampling):
        ch = width // 2**i
        up = nn.ConvTranspose2d(ch, ch // 2, 3, stride=2, padding=1, output_padding=1)
        layers += [up, norm_layer(norm, ch // 2), nn.ReLU(True)]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]
    return layers


class GlobalGenerator(nn.Module):
    """G1 on its own (``--netG global``)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int = 3,
        ngf: int = 64,
        n_downsampling: int = 4,
        n_blocks: int = 9,
        norm: NormName = "instance",
    ) -> None:
        super().__init__()
        self.factor = 2**n_downsampling
        self.model = nn.Sequential(
            *global_layers(in_channels, out_channels, ngf, n_downsampling, n_blocks, norm)
        )

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1] % self.factor or x.shape[-2] % self.factor:
            raise ValueError(
                f"height and width must be multiples of {self.factor}, got {tuple(x.shape[-2:])}"
            )
        return self.model(x)


class LocalEnhancer(nn.Module):
    """G2 around G1 (``--netG local``, one enhancer): G1 (width 2 ngf, its output layers removed) runs on the
    input downsampled 2x; its features plus G2's front end on the full input go through G2's back end."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int = 3,
        ngf: int = 32,
        n_downsample_global: int = 4,
        n_blocks_global: int = 9,
        n_blocks_local: int = 3,
        norm: NormName = "instance",
    ) -> None:
        super().__init__()
        self.factor = 2 ** (n_downsample_global + 1)
        g1 = global_layers(in_channels, out_channels, 2 * ngf, n_downsample_global, n_blocks_global, norm)
        self.model = nn.Sequential(*g1[:-3])
        self.model1_1 = nn.Sequential(
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_channels, ngf, 7),
            norm_layer(norm, ngf),
            nn.ReLU(True),
            nn.Conv2d(ngf, 2 * ngf, 3, stride=2, padding=1),
            norm_layer(norm, 2 * ngf),
            nn.ReLU(True),
        )
        self.model1_2 = nn.Sequential(
            *[ResnetBlock(2 * ngf, norm) for _ in range(n_blocks_local)],
            nn.ConvTranspose2d(2 * ngf, ngf, 3, stride=2, padding=1, output_padding=1),
            norm_layer(norm, ngf),
            nn.ReLU(True),
            nn.ReflectionPad2d(3),
            nn.Conv2d(ngf, out_channels, 7),
            nn.Tanh(),
        )
        self.downsample = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1] % self.factor or x.shape[-2] % self.factor:
            raise ValueError(
                f"height and width must be multiples of {self.factor}, got {tuple(x.shape[-2:])}"
            )
        return self.model1_2(self.model1_1(x) + self.model(self.downsample(x)))
