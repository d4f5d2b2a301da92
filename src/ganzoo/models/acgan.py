"""ACGAN: Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs", ICML 2017.

G(z, c) draws an image of class c; D sees only the image and outputs both the source (real/fake) logit and
class logits. With L_S = E[log P(S=real | x_real)] + E[log P(S=fake | x_fake)] and
L_C = E[log P(C=c | x_real)] + E[log P(C=c | x_fake)], D maximises L_S + L_C and G maximises L_C - L_S
(the source term in its non-saturating form, as for every GAN in the zoo).

Networks: the DCGAN networks (``nn.dcgan``) for images, G fed [z, one_hot(c)] (the paper's CIFAR-10 G takes
110 = 100 + 10 inputs) and D's last layer giving 1 + num_classes outputs (the paper's "Linear ... 11");
MLPs (``nn.mlp``) for vector data such as the 2-D toys. Adam(2e-4, betas (0.5, 0.999)) as in the paper.
Deviations: DCGAN's D without the paper's dropout; MNIST at 32x32 (the paper trains ImageNet and CIFAR-10).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.models.base import running_as
from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.nn.conditioning import OneHotConcat
from ganzoo.nn.dcgan import DCGANDiscriminator, DCGANGenerator
from ganzoo.nn.mlp import MLPDiscriminator, MLPGenerator
from ganzoo.registry import PAPERS


def acgan_networks(
    data_shape: Sequence[int], latent_dim: int, num_classes: int, width: int, hidden: Sequence[int]
) -> tuple[nn.Module, nn.Module]:
    """(G(z, c), D(x) -> (N, 1 + num_classes)): DCGAN networks for images (C, H, W), MLPs for vectors."""
    outputs = 1 + num_classes
    if len(data_shape) == 1:
        g = MLPGenerator(latent_dim + num_classes, data_shape, hidden, tanh=False)
        d = MLPDiscriminator(data_shape, hidden, outputs=outputs)
    elif len(data_shape) == 3 and data_shape[1] == data_shape[2]:
        channels, size = data_shape[0], data_shape[1]
        g = DCGANGenerator(latent_dim + num_classes, size, channels, width)
        d = DCGANDiscriminator(size, channels, width, outputs=outputs)
    else:
        raise ValueError(f"data_shape must be (features,) or square (C, H, W), got {tuple(data_shape)}")
    return OneHotConcat(g, num_classes), d


@PAPERS.register
class ACGAN(ConditionalGANModule):
    """Args: ``data_shape``: ``[C, S, S]`` images (S = 4 * 2^k) or ``[features]`` vectors; ``width``: the
    DCGAN networks' ngf = ndf; ``hidden``: the MLPs' layers for vectors; ``class_weight``: the weight of L_C
    relative to L_S (1 in the paper)."""

    def __init__(
        self,
        data_shape: Sequence[int] = (1, 32, 32),
        num_classes: int = 10,
        class_names: Sequence[str] | str | None = "digits",
        latent_dim: int = 100,
        width: int = 64,
        hidden: Sequence[int] = (128, 128),
        class_weight: float = 1.0,
        **kwargs: Any,
    ) -> None:
        g, d = acgan_networks(data_shape, latent_dim, num_classes, width, hidden)
        super().__init__(
            g,
            d,
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            **kwargs,
        )

    def discriminate(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(source logits (N,), class logits (N, num_classes))."""
        out = self.discriminator(x)
        return out[:, 0], out[:, 1:]

    @torch.no_grad()
    def classify(self, x: Tensor) -> Tensor:
        """The auxiliary classifier's predicted class of each image (D in eval mode)."""
        with running_as(self.discriminator, training=False):
            return self.discriminate(x.to(self.device, self.dtype))[1].argmax(dim=1)

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        """-(L_S + L_C): the source loss plus the class cross-entropy on real AND generated images."""
        real, labels = self.real_inputs(batch)
        fake, fake_labels = self.fake_batch(batch)
        (real_src, real_cls), (fake_src, fake_cls) = self.discriminate(real), self.discriminate(fake)
        source = self.loss_d(real_src, fake_src)
        klass = F.cross_entropy(real_cls, labels) + F.cross_entropy(fake_cls, fake_labels)
        accuracy = (real_cls.argmax(1) == labels).float().mean()
        return {
            "loss": source + self.hparams.class_weight * klass,
            "d_source": source,
            "d_class": klass,
            "d_real_accuracy": accuracy,
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        """-(L_C - L_S): fool the source head while making the class head read the requested class."""
        fake, labels = self.fakes(batch)
        source, cls = self.discriminate(fake)
        klass = F.cross_entropy(cls, labels)
        g_source = self.loss_g(source)
        return {"loss": g_source + self.hparams.class_weight * klass, "g_source": g_source, "g_class": klass}
