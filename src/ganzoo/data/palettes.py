"""Colour palettes of semantic label maps published as colour images, and the mapping back to class indices.

The pix2pix release of CMP Facades (Tylecek & Sara 2013) stores each label map as a JPEG coloured by class,
so the colours are only near their palette entries (compression blurs them, most of all at region borders);
each pixel is given the class of the nearest palette colour. The colours below are the most frequent
pixel values of each class in that release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import Tensor


@dataclass(frozen=True)
class Palette:
    """Class names and their RGB colours, in class-index order."""

    names: tuple[str, ...]
    colours: tuple[tuple[int, int, int], ...]

    @property
    def num_classes(self) -> int:
        return len(self.names)

    def indices(self, image: Image.Image) -> Tensor:
        """(H, W) long class indices: each pixel's nearest palette colour (Euclidean in RGB)."""
        pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32).copy())
        colours = torch.tensor(self.colours, dtype=torch.float32)
        distance = (pixels[..., None, :] - colours).pow(2).sum(-1)
        return distance.argmin(-1)

    def distances(self, image: Image.Image) -> Tensor:
        """(H, W) distance of each pixel to its nearest palette colour (how far a file is off the palette)."""
        pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32).copy())
        colours = torch.tensor(self.colours, dtype=torch.float32)
        return (pixels[..., None, :] - colours).pow(2).sum(-1).min(-1).values.sqrt()


# CMP Facades' 12 classes in the dataset's label order (1 background ... 12 shop), coloured along a jet
# colour map from dark blue to dark red.
FACADES = Palette(
    names=(
        "background",
        "facade",
        "window",
        "door",
        "cornice",
        "sill",
        "balcony",
        "blind",
        "deco",
        "molding",
        "pillar",
        "shop",
    ),
    colours=(
        (0, 0, 222),
        (0, 48, 255),
        (0, 128, 255),
        (0, 207, 255),
        (32, 255, 224),
        (112, 255, 143),
        (192, 255, 63),
        (255, 240, 0),
        (255, 159, 0),
        (255, 80, 0),
        (255, 0, 0),
        (174, 0, 0),
    ),
)

PALETTES: dict[str, Palette] = {"facades": FACADES}


def get_palette(name: str) -> Palette:
    """The palette called ``name``, or an error listing the known ones."""
    if name not in PALETTES:
        raise ValueError(f"unknown label palette {name!r}; known palettes: {', '.join(sorted(PALETTES))}")
    return PALETTES[name]
