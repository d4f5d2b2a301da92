"""StarGAN: Choi et al., "StarGAN: Unified Generative Adversarial Networks for Multi-Domain Image-to-Image
Translation", CVPR 2018.

One generator G(x, c) translates an image x to any target domain c, a vector of binary attributes tiled over
the image and concatenated to it. One discriminator judges realness (a PatchGAN, trained with WGAN-GP) and,
through an auxiliary head, classifies the domain of what it sees. G learns to fool D, to be classified as c
(lambda_cls), and to give back x when its output is translated back to x's own domain c' (reconstruction,
lambda_rec * ||x - G(G(x, c), c')||_1). Targets are the domains of other images of the batch.

Defaults are the authors' (``yunjey/stargan``, ``main.py`` / ``solver.py``): lambda_cls 1, lambda_rec 10,
lambda_gp 10, 5 critic updates per G update, Adam(1e-4, (0.5, 0.999)) for both networks, 200,000 critic
iterations of batch 16, the lr decayed over the last 100,000. The module names of the networks are theirs
(``main``, ``conv1``, ``conv2``), so their published ``*-G.ckpt`` loads without renaming.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim.lr_scheduler import LambdaLR

from ganzoo import losses
from ganzoo.data.celeba_attributes import STARGAN_ATTRIBUTES
from ganzoo.models.translation import Direction, TranslationModule
from ganzoo.registry import PAPERS

HAIR_COLOURS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair")
"""CelebA attributes that exclude one another: setting one sets the others it is trained with to 0."""


def _instance_norm(channels: int) -> nn.InstanceNorm2d:
    # Affine, and with running statistics kept (never used: G runs in training mode, as the authors test).
    return nn.InstanceNorm2d(channels, affine=True, track_running_stats=True)


class ResidualBlock(nn.Module):
    """conv3-IN-ReLU-conv3-IN with an identity shortcut."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            _instance_norm(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            _instance_norm(channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.main(x)


class StarGANGenerator(nn.Module):
    """conv7 -> two stride-2 convs down -> ``repeat_num`` residual blocks -> two transposed convs up ->
    conv7 -> tanh, on the image concatenated with the domain vector tiled to its size."""

    def __init__(self, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6, channels: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Conv2d(channels + c_dim, conv_dim, 7, 1, 3, bias=False),
            _instance_norm(conv_dim),
            nn.ReLU(inplace=True),
        ]
        width = conv_dim
        for _ in range(2):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), _instance_norm(width * 2)]
            layers.append(nn.ReLU(inplace=True))
            width *= 2
        layers += [ResidualBlock(width) for _ in range(repeat_num)]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), _instance_norm(width // 2)]
            layers.append(nn.ReLU(inplace=True))
            width //= 2
        layers += [nn.Conv2d(width, channels, 7, 1, 3, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)
        self.channels, self.c_dim = channels, c_dim

    def forward(self, x: Tensor, c: Tensor) -> Tensor:
        c = c.to(x.dtype).view(c.shape[0], c.shape[1], 1, 1).expand(-1, -1, x.shape[2], x.shape[3])
        return self.main(torch.cat([x, c], dim=1))


class StarGANDiscriminator(nn.Module):
    """``repeat_num`` stride-2 conv4 + LeakyReLU(0.01) layers, then two heads on the last features: a 3x3
    conv giving one realness score per patch (``conv1``) and a conv over the whole map giving the domain
    logits (``conv2``)."""

    def __init__(
        self,
        image_size: int = 128,
        conv_dim: int = 64,
        c_dim: int = 5,
        repeat_num: int = 6,
        channels: int = 3,
    ) -> None:
        super().__init__()
        if image_size % 2**repeat_num:
            raise ValueError(
                f"StarGAN's discriminator halves its input {repeat_num} times (d_repeat_num), so image_size "
                f"must be a multiple of {2**repeat_num}; got {image_size}"
            )
        layers: list[nn.Module] = [nn.Conv2d(channels, conv_dim, 4, 2, 1), nn.LeakyReLU(0.01)]
        width = conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1), nn.LeakyReLU(0.01)]
            width *= 2
        self.main = nn.Sequential(*layers)
        self.conv1 = nn.Conv2d(width, 1, 3, 1, 1, bias=False)
        self.conv2 = nn.Conv2d(width, c_dim, image_size // 2**repeat_num, bias=False)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.main(x)
        return self.conv1(h), self.conv2(h).flatten(1)


def stargan_lr_factor(iteration: int, num_iters: int, num_iters_decay: int, lr_update_step: int) -> float:
    """The authors' decay after ``iteration`` critic iterations: every ``lr_update_step`` iterations in the
    last ``num_iters_decay``, lr drops by lr_0 / ``num_iters_decay``.

    With their ``lr_update_step=1000`` that lowers lr by only 1/1000 of lr_0 in all (``solver.py`` as
    released); the paper's linear decay to 0 is ``lr_update_step=1``.
    """
    start = num_iters - num_iters_decay
    steps = max(0, iteration // lr_update_step - start // lr_update_step)
    return 1.0 - steps / num_iters_decay


def single_attribute_targets(source: Tensor, attributes: Sequence[str]) -> list[Tensor]:
    """One target per attribute, as the authors' test grids make them (``create_labels``): a hair colour is
    set (and the other hair colours cleared), any other attribute is flipped."""
    hair = [i for i, name in enumerate(attributes) if name in HAIR_COLOURS]
    targets = []
    for i in range(len(attributes)):
        target = source.clone()
        if i in hair:
            target[:, hair] = 0.0
            target[:, i] = 1.0
        else:
            target[:, i] = 1.0 - target[:, i]
        targets.append(target)
    return targets


@PAPERS.register
class StarGAN(TranslationModule):
    """Batches are ``(images in [-1, 1], attributes in {0, 1})`` (the ``celeba_attributes`` DataModule).

    Args:
        attributes: the names of the domain vector's entries, in order (the authors' ``--selected_attrs``;
            ``c_dim`` is their number).
        image_size: the training resolution (``--image_size``); D's classifier head depends on it.
        g_conv_dim, d_conv_dim, g_repeat_num, d_repeat_num: the authors' network flags.
        lambda_cls, lambda_rec, lambda_gp: weights of the domain classification, reconstruction and
            gradient-penalty terms.
        d_steps: D updates per G update (the authors' ``--n_critic``).
        num_iters, num_iters_decay, lr_update_step: the lr schedule, counted in D iterations
            (``stargan_lr_factor``).
        generator_only: build the published form: G alone, for translation.
        Everything else goes to ``GANModule`` (``lr_g``, ``lr_d``, ``optimizer`` ...).
    """

    def __init__(
        self,
        attributes: Sequence[str] = STARGAN_ATTRIBUTES,
        image_size: int = 128,
        g_conv_dim: int = 64,
        d_conv_dim: int = 64,
        g_repeat_num: int = 6,
        d_repeat_num: int = 6,
        lambda_cls: float = 1.0,
        lambda_rec: float = 10.0,
        lambda_gp: float = 10.0,
        d_steps: int = 5,
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        num_iters: int = 200_000,
        num_iters_decay: int = 100_000,
        lr_update_step: int = 1000,
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        if not attributes:
            raise ValueError("StarGAN needs at least one attribute to translate to")
        if not 0 < num_iters_decay <= num_iters or lr_update_step < 1:
            raise ValueError(
                "need 0 < num_iters_decay <= num_iters and lr_update_step >= 1, got "
                f"num_iters={num_iters}, num_iters_decay={num_iters_decay}, lr_update_step={lr_update_step}"
            )
        c_dim = len(attributes)
        generator = StarGANGenerator(g_conv_dim, c_dim, g_repeat_num)
        discriminator = (
            None if generator_only else StarGANDiscriminator(image_size, d_conv_dim, c_dim, d_repeat_num)
        )
        factor = functools.partial(
            stargan_lr_factor,
            num_iters=num_iters,
            num_iters_decay=num_iters_decay,
            lr_update_step=lr_update_step,
        )

        def scheduler(opt: torch.optim.Optimizer) -> LambdaLR:
            # The loop steps schedulers after each G update, i.e. every d_steps D iterations.
            return LambdaLR(opt, lambda g_steps: factor(g_steps * d_steps))

        # Fixed to "step" and passed explicitly below, so the CLI offers no other value; a saved model's
        # hyperparameters give it back as "step".
        if kwargs.pop("scheduler_interval", "step") != "step":
            raise ValueError("StarGAN's lr schedule counts iterations: scheduler_interval must be 'step'")

        super().__init__(
            generator,
            discriminator,
            image_size=image_size,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            scheduler=scheduler,
            scheduler_interval="step",
            **kwargs,
        )
        self.attributes = tuple(attributes)
        self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp

    # --- translating ------------------------------------------------------------------------------

    def translator(self, direction: Direction | None) -> nn.Module:
        if direction is not None:
            raise ValueError(
                "StarGAN translates to a target domain, not in a direction: pass "
                "target={'Blond_Hair': 1, ...}"
            )
        return self.generator

    def image_channels(self, net: nn.Module) -> int:
        return net.channels

    def run_translator(
        self,
        net: nn.Module,
        x: Tensor,
        *,
        target: Mapping[str, float] | Tensor | None = None,
        source: Mapping[str, float] | None = None,
    ) -> Tensor:
        """``G(x, c)`` for the domain ``target`` names (see ``domain``)."""
        return net(x, self.domain(target, source, len(x)).to(x.device))

    def domain(
        self, target: Mapping[str, float] | Tensor | None, source: Mapping[str, float] | None, n: int
    ) -> Tensor:
        """The (n, c_dim) domain vector. ``target`` is a tensor of it, or ``{attribute: 0 or 1}``; attributes
        it leaves out take the input's own values from ``source``, and every attribute needs one of the two
        (G always translates to a whole domain). A hair colour set to 1 in ``target`` clears the others."""
        if isinstance(target, Tensor):
            c = target.float().reshape(-1, len(self.attributes)) if target.dim() < 2 else target.float()
            if c.shape[1] != len(self.attributes) or c.shape[0] not in (1, n):
                raise ValueError(
                    f"target has shape {tuple(target.shape)}; expected ({n}, {len(self.attributes)}) or "
                    f"({len(self.attributes)},), one value per attribute {list(self.attributes)}"
                )
            return c.expand(n, -1)
        if target is None:
            raise TypeError("StarGAN.translate() needs target=, e.g. target={'Blond_Hair': 1, 'Male': 0}")
        given = {**dict(source or {}), **dict(target)}
        unknown = sorted(set(given) - set(self.attributes))
        if unknown:
            raise ValueError(
                f"this StarGAN was trained on {list(self.attributes)}, not {unknown}; name those attributes"
            )
        if any(value not in (0, 1) for value in given.values()):
            raise ValueError(f"attribute values are 0 or 1, got {given}")
        for name in HAIR_COLOURS:
            if target.get(name) == 1:
                given.update({h: 0 for h in HAIR_COLOURS if h != name and h in self.attributes})
                given[name] = 1
        missing = [a for a in self.attributes if a not in given]
        if missing:
            raise ValueError(
                f"StarGAN translates to a whole domain: give {missing} in target= or the input's own values "
                "in source= (e.g. source={'Male': 1, 'Young': 1})"
            )
        return torch.tensor([[float(given[a]) for a in self.attributes]]).expand(n, -1)

    # --- training ---------------------------------------------------------------------------------

    def _images_and_domains(self, batch: Any) -> tuple[Tensor, Tensor]:
        if not isinstance(batch, list | tuple) or len(batch) != 2 or batch[1].dim() != 2:
            raise TypeError(
                "StarGAN trains on (images, attributes) batches; use the 'celeba_attributes' DataModule"
            )
        x, c = batch
        if c.shape[1] != len(self.attributes):
            raise ValueError(
                f"the batch has {c.shape[1]} attributes but this StarGAN was built for "
                f"{len(self.attributes)} ({list(self.attributes)}); give model and data the same attributes"
            )
        return x, c.to(x.dtype)

    def fakes(self, batch: Any) -> tuple[Tensor, Tensor]:
        """``(G(x, c_trg), c_trg)``, the targets being the domains of the batch's images shuffled."""
        x, c_org = self._images_and_domains(batch)
        c_trg = c_org[torch.randperm(len(c_org), device=c_org.device)]
        return self.generator(x, c_trg), c_trg

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        x, c_org = self._images_and_domains(batch)
        fake, _ = self.fake_batch(batch)
        real_src, real_cls = self.discriminator(x)
        fake_src, _ = self.discriminator(fake)
        adversarial = losses.wasserstein_d(real_src, fake_src)
        cls = losses.attribute_bce(real_cls, c_org)
        gp = losses.gradient_penalty(lambda h: self.discriminator(h)[0], x, fake)
        loss = adversarial + self.lambda_cls * cls + self.lambda_gp * gp
        return {"loss": loss, "d_adv": adversarial, "d_cls": cls, "d_gp": gp}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        x, c_org = self._images_and_domains(batch)
        fake, c_trg = self.fakes(batch)
        fake_src, fake_cls = self.discriminator(fake)
        adversarial = losses.wasserstein_g(fake_src)
        cls = losses.attribute_bce(fake_cls, c_trg)
        rec = F.l1_loss(self.generator(fake, c_org), x)
        loss = adversarial + self.lambda_cls * cls + self.lambda_rec * rec
        return {"loss": loss, "g_adv": adversarial, "g_cls": cls, "g_rec": rec}
