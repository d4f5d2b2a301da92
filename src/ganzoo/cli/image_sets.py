"""What each side of ``ganzoo eval METRIC A B`` is, and how its images are read and sized.

A side is, in this order of precedence:

1. ``*.npz``: feature statistics (ganzoo's, pytorch-fid's or clean-fid's: ``mu`` and ``sigma``);
2. an existing folder holding ``config.json`` + ``model.safetensors``: a model;
3. any other existing folder: images, read recursively (``IMAGE_SUFFIXES``), in sorted path order;
4. ``NAME`` or ``NAME:SPLIT`` where NAME is a dataset (``ganzoo.data.available()``; split default ``train``),
   read from ``--data-dir``;
5. an existing file (``.ckpt``, a published checkpoint), ``hf://owner/repo`` or a catalog name: a model.

Both sides are compared at one image size before the Inception's own resize to 299x299: ``--image-size N``
resizes every folder and dataset side to NxN (a folder: the shorter side to N, bilinear with antialias, then
a centre crop; a dataset: its own resize); without it a folder keeps its images' size (they must all have
one), a dataset its native size (28x28 for MNIST), and a model its own. Sides of different sizes are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ganzoo.cli import CommandError

KINDS_HINT = "pass a folder of images, a .npz of statistics, a dataset name like mnist:test, or a model name"
FOLDER_RESIZE = "shorter side to {n} (bilinear, antialias) then centre crop to {n}x{n}"


@dataclass
class Side:
    """One of the two things compared: its kind, where it is, and what its images look like."""

    spec: str
    kind: str  # "folder", "dataset", "statistics" or "model"
    path: Path | None = None
    dataset: str | None = None
    split: str | None = None
    shape: tuple[int, int] | None = None  # (height, width) of the images the extractor sees
    resize: str = "none"
    files: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_images(self) -> bool:
        return self.kind in ("folder", "dataset")

    def size_text(self) -> str:
        return "unknown" if self.shape is None else f"{self.shape[0]}x{self.shape[1]}"

    def describe(self) -> dict[str, Any]:
        """This side's part of the JSON protocol."""
        out: dict[str, Any] = {"kind": self.kind, "spec": self.spec}
        if self.path is not None:
            out["path"] = str(self.path)
        if self.dataset is not None:
            out["dataset"], out["split"] = self.dataset, self.split
        out.update(self.extra)
        out["image_size"] = self.size_text()
        out["resize"] = self.resize
        return out


def resolve(spec: str) -> Side:
    """The side named by ``spec`` (see the module docstring for the rules), or a ``CommandError``."""
    from ganzoo import data
    from ganzoo.hub.folder import CONFIG_NAME, WEIGHTS_NAME

    path = Path(spec).expanduser()
    if spec.endswith(".npz"):
        if not path.is_file():
            raise CommandError(f"no statistics file at {spec} ({KINDS_HINT})")
        return Side(spec, "statistics", path=path.resolve())
    if path.is_dir():
        if (path / CONFIG_NAME).is_file() and (path / WEIGHTS_NAME).is_file():
            return Side(spec, "model")
        return Side(spec, "folder", path=path.resolve())
    name, _, split = spec.partition(":")
    if name in data.available() and not path.exists():
        return Side(spec, "dataset", dataset=name, split=split or "train")
    if path.is_file() or spec.startswith("hf://") or _is_catalog_name(spec):
        return Side(spec, "model")
    if spec.endswith(".ckpt"):
        raise CommandError(f"no such checkpoint: {spec} ({KINDS_HINT})")
    raise CommandError(f"no such folder: {spec} ({KINDS_HINT})")


def _is_catalog_name(text: str) -> bool:
    from ganzoo.hub.catalog import CATALOG

    return text in CATALOG


def folder_files(side: Side) -> list[Path]:
    """The image files below a folder side, recursively; a clear error when there are none."""
    from ganzoo.data.image_folder import IMAGE_SUFFIXES, list_images

    files = list_images(side.path)
    if not files:
        others = sum(1 for p in side.path.rglob("*") if p.is_file())
        held = f"{others} other file{'' if others == 1 else 's'}" if others else "nothing"
        raise CommandError(
            f"{side.spec} holds no images ({held}): image files are read recursively with the extensions "
            f"{', '.join(IMAGE_SUFFIXES)}; pass a folder that holds some"
        )
    return files


def folder_sizes(files: list[Path]) -> dict[tuple[int, int], Path]:
    """Each (height, width) found among ``files``, with the first file of that size (headers only)."""
    from PIL import Image

    from ganzoo.data.image_folder import read_rgb

    sizes: dict[tuple[int, int], Path] = {}
    for file in files:
        try:
            with Image.open(file) as image:
                width, height = image.size
        except OSError:
            read_rgb(file)  # raises the error that names the damaged file
            raise
        sizes.setdefault((height, width), file)
    return sizes


def prepare_folder(side: Side, image_size: int | None) -> None:
    """List a folder side's images and fix the size they are compared at."""
    side.files = folder_files(side)
    sizes = folder_sizes(side.files)
    side.extra["num_images"] = len(side.files)
    side.extra["read"] = "recursively, sorted by path, as 8-bit RGB (Pillow)"
    if image_size is not None:
        side.shape = (image_size, image_size)
        same = set(sizes) == {side.shape}
        side.resize = "none (already that size)" if same else FOLDER_RESIZE.format(n=image_size)
        return
    if len(sizes) > 1:
        examples = ", ".join(f"{h}x{w} ({path.name})" for (h, w), path in list(sizes.items())[:3])
        raise CommandError(
            f"the images in {side.spec} have {len(sizes)} sizes ({examples}): pass --image-size N to resize "
            "them all to NxN, or measure one size at a time"
        )
    side.shape = next(iter(sizes))
    side.resize = "none (the files' own size)"


def prepare_dataset(side: Side, image_size: int | None, data_dir: str | None) -> Any:
    """The datamodule of a dataset side, at ``image_size`` or the dataset's native size."""
    from ganzoo import data

    cls = data.get(side.dataset)
    native = getattr(cls, "native_image_size", None)
    size = image_size or native or cls.default_image_size
    kwargs: dict[str, Any] = {"image_size": size}
    if data_dir:
        kwargs["data_dir"] = data_dir
    datamodule = data.create(side.dataset, **kwargs)
    split = datamodule.dataset(side.split)
    side.path = Path(datamodule.data_dir).expanduser().resolve()
    side.shape = (size, size)
    side.extra["num_images"] = len(split)
    if native is None:
        side.resize = f"the dataset's own transform to {size}x{size}"
        if image_size is None:
            side.resize += " (its default size: pass --image-size to choose)"
    elif size == native:
        side.resize = f"none (native {native}x{native})"
    else:
        side.resize = f"bilinear (antialias) from the native {native}x{native} to {size}x{size}"
    return SimpleNamespace(
        name=datamodule.name,
        data_dir=datamodule.data_dir,
        image_size=datamodule.image_size,
        dataset=lambda _split: split,
    )


def folder_datamodule(side: Side) -> Any:
    """What ``reference_stats`` reads a folder side through (its statistics are cached like a dataset's,
    keyed by the folder's contents, the size and the extractor)."""
    dataset = folder_dataset(side)
    height, width = side.shape
    return SimpleNamespace(
        name="folder",
        data_dir=side.path,
        image_size=width if height == width else None,
        dataset=lambda _split: dataset,
    )


def folder_dataset(side: Side) -> Any:
    """``(uint8 image, 0)`` items of a folder side, resized as ``side.resize`` says."""
    import torch
    from torchvision.transforms import v2

    from ganzoo.data.image_folder import ImageFilesDataset

    steps: list[Any] = [v2.PILToTensor()]
    if not side.resize.startswith("none"):
        steps += [v2.Resize(side.shape[0], antialias=True), v2.CenterCrop(side.shape[0])]
    steps.append(v2.ToDtype(torch.uint8))
    return ImageFilesDataset(side.files, v2.Compose(steps))
