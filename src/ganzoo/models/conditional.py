"""ConditionalGANModule: the class-conditional game shared by CGAN, SNGAN/SAGAN's projection D and BigGAN.

The generator is called as ``G(z, y)`` and the discriminator as ``D(x, y)`` with integer labels ``y``;
batches are ``(images, labels)``. Fake images are drawn for uniformly random classes, as in the papers.
Sampling takes classes by index or by name, and optionally truncates z (the truncation trick).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo.data.class_names import class_index, resolve_names
from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.truncation import truncated_normal

Classes = int | str | Sequence[int | str] | Tensor | None


class ConditionalGANModule(LatentGANModule):
    """A ``LatentGANModule`` conditioned on one of ``num_classes`` labels.

    Args:
        num_classes: number of classes; ``None`` makes the model unconditional (labels are ``None``
            throughout: ``G(z, None)``, ``D(x, None)``), for papers that offer both settings (SNGAN).
        class_names: names accepted by ``sample(classes=...)``: a list in index order, or ``"imagenet"``,
            ``"cifar10"`` or ``"digits"``.
        **kwargs: everything ``LatentGANModule`` takes. Gradient penalties are taken through ``D(x, y)``
            with the real labels.
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module | None,
        *,
        num_classes: int | None,
        class_names: Sequence[str] | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, **kwargs)
        if num_classes is not None and num_classes < 1:
            raise ValueError(
                f"num_classes must be >= 1 (or None for an unconditional model), got {num_classes}"
            )
        self.num_classes = num_classes
        self.class_names = resolve_names(class_names)
        if self.class_names is not None and num_classes is None:
            raise ValueError("class_names given for an unconditional model (num_classes=None)")
        if self.class_names is not None and len(self.class_names) != num_classes:
            raise ValueError(f"class_names has {len(self.class_names)} names for {num_classes} classes")

    # --- labels and noise -------------------------------------------------------------------------

    def sample_labels(self, n: int, generator: torch.Generator | None = None) -> Tensor | None:
        """Uniformly random class indices (``None`` for an unconditional model)."""
        if self.num_classes is None:
            return None
        return torch.randint(self.num_classes, (n,), device=self.device, generator=generator)

    def resolve_classes(
        self, classes: Classes, n: int, generator: torch.Generator | None = None
    ) -> Tensor | None:
        """``classes`` as ``n`` label indices: one class (index or name) for all, or one per sample."""
        if self.num_classes is None and classes is not None:
            raise ValueError("this model is unconditional (num_classes=None); sample it without classes")
        if classes is None:
            return self.sample_labels(n, generator)
        if isinstance(classes, Tensor) and classes.is_floating_point() and classes.dim() == 2:
            # Class vectors (one-hot or mixed), passed on to generators that embed them (BigGAN-deep).
            if classes.shape != (n, self.num_classes):
                raise ValueError(
                    f"class vectors must have shape ({n}, {self.num_classes}), got {tuple(classes.shape)}"
                )
            return classes.to(self.device, self.dtype)
        if isinstance(classes, Tensor):
            labels = classes.to(self.device, torch.long).reshape(-1)
        else:
            items = [classes] if isinstance(classes, int | str) else list(classes)
            labels = torch.tensor([self._class_index(c) for c in items], device=self.device, dtype=torch.long)
        if labels.numel() == 1:
            labels = labels.expand(n)
        if labels.numel() != n:
            raise ValueError(
                f"got {labels.numel()} classes for {n} samples; pass one class or one per sample"
            )
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"class indices must be in [0, {self.num_classes}), got {labels.tolist()}")
        return labels

    def _class_index(self, c: int | str) -> int:
        if isinstance(c, str):
            if self.class_names is None:
                raise ValueError(
                    f"class {c!r} given by name, but this model has no class_names; pass an index"
                )
            return class_index(c, self.class_names)
        return int(c)

    def sample_latent(
        self, n: int, generator: torch.Generator | None = None, truncation: float | None = None
    ) -> Tensor:
        """z ~ N(0, I), or ``truncation`` times a normal truncated to [-2, 2] (see ``truncated_normal``)."""
        if truncation is None:
            return super().sample_latent(n, generator)
        return truncated_normal((n, self.latent_dim), truncation, generator=generator, device=self.device)

    # --- the game ---------------------------------------------------------------------------------

    def labels_of(self, batch: Any) -> Tensor | None:
        """The labels of an ``(images, labels)`` batch; ``None`` for an unconditional model (any batch)."""
        return None if self.num_classes is None else batch[1]

    def real_inputs(self, batch: Any) -> tuple[Tensor, Tensor | None]:
        return self.real_images(batch), self.labels_of(batch)

    def fakes(self, batch: Any, n: int | None = None) -> tuple[Tensor, Tensor | None]:
        """(``n`` fakes of uniformly random classes, their labels)."""
        n = self.real_images(batch).shape[0] if n is None else n
        labels = self.sample_labels(n)
        return self.generator(self.sample_latent(n), labels), labels

    def critic(self, images: Tensor, condition: Tensor | None) -> Tensor:
        return self.discriminator(images, condition)

    # --- sampling ---------------------------------------------------------------------------------

    def sampling_inputs(
        self,
        n: int,
        rng: torch.Generator | None,
        z: Tensor | None,
        *,
        classes: Classes = None,
        truncation: float | None = None,
    ) -> tuple[Any, ...]:
        """(z, labels, truncation) for ``classes`` (index, name, or one per sample; random when ``None``).

        ``truncation`` in (0, 1] samples z from a truncated normal scaled by it (lower: closer to the mode).
        """
        if z is None:
            z = self.sample_latent(n, generator=rng, truncation=truncation)
        return z.to(self.device, self.dtype), self.resolve_classes(classes, n, rng), truncation

    def generate(self, net: nn.Module, z: Tensor, labels: Tensor | None, truncation: float | None) -> Tensor:
        """Run the inference generator; models whose G depends on the truncation (BigGAN-deep) override it."""
        return net(z, labels)
