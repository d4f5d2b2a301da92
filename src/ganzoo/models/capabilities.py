"""What a trained model can do: sample images from noise, or translate images. Checkable with ``isinstance``.

A ``GANModule`` is the training loop; a paper's class adds one of these capabilities. Callbacks, the CLI and
publishing ask ``isinstance(model, Sampler)`` / ``isinstance(model, Translator)`` and call the one method
the capability promises, instead of probing for methods that may raise.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from torch import Tensor


class Sampler(ABC):
    """Draws images from its generator's prior: ``sample(n, seed=..., **conditions)``."""

    usage: tuple[str, ...] = (
        "images = model.sample(16, seed=0)  # (16, C, H, W) in [-1, 1]",
        'ganzoo.save_image_grid(images, "grid.png")',
    )
    """How a model card shows this capability in use."""

    @abstractmethod
    def sample(self, n: int, *, seed: int | None = None, **conditions: Any) -> Tensor:
        """``n`` samples in [-1, 1]; ``seed`` fixes the noise; ``conditions`` are the model's own (classes,
        truncation, codes ...), each refused by name by a model that does not take it."""

    def sample_conditions(self) -> list[str]:
        """The names of the conditions ``sample`` takes (none by default)."""
        return []

    def preview(self, seed: int) -> Tensor | None:
        """64 samples for a model card or a training grid; ``None`` when they are not images."""
        images = self.sample(64, seed=seed)
        return images if images.dim() == 4 else None


class Translator(ABC):
    """Maps an input image to an output image: ``translate(image, **options)``."""

    usage: tuple[str, ...] = (
        "from PIL import Image",
        'output = model.translate(Image.open("input.png"))  # a PIL image',
    )

    @property
    def directions(self) -> tuple[str, ...]:
        """The ways it translates; a one-way model translates the way it was trained (``("AtoB",)``)."""
        return ("AtoB",)

    @abstractmethod
    def translate(self, image: Any, **options: Any) -> Any:
        """The translation of a PIL image (returns one) or of a tensor in [-1, 1] (returns one)."""

    def preview(self, seed: int) -> Tensor | None:
        """Translations need inputs, so there is no preview without data."""
        return None

    def displayable(self, inputs: Tensor) -> Tensor:
        """Inputs as images in [-1, 1] for a grid (themselves by default; label maps are coloured)."""
        return inputs


class MultimodalTranslator(Translator):
    """Maps one input to many plausible outputs, one per latent code: ``translate_samples(image, k)``."""

    usage: tuple[str, ...] = (
        "from PIL import Image",
        'outputs = model.translate_samples(Image.open("input.png"), 8, seed=0)  # (8, C, H, W) in [-1, 1]',
        'ganzoo.save_image_grid(outputs, "samples.png")',
    )

    @abstractmethod
    def translate_samples(self, image: Any, k: int, *, seed: int | None = None) -> Tensor:
        """``k`` translations of one image (PIL, or (C, H, W) in [-1, 1]), each from its own latent code,
        as a (k, C, H, W) tensor in [-1, 1]; ``seed`` fixes the codes."""
