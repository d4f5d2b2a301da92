"""What paired and unpaired image-to-image datasets share (Isola et al. 2017; Zhu et al. 2017).

Batches are dicts ``{"A": input images, "B": target images}`` in [-1, 1], with ``direction`` already applied
(``"BtoA"`` swaps the two sides), so a model never needs to know which way a dataset was stored.

Preprocessing follows the authors' ``resize_and_crop`` (``data/base_dataset.py``): training images are
resized to ``load_size`` x ``load_size`` (bicubic), a random ``crop_size`` square is cut out and flipped
horizontally with probability 1/2; the two images of a pair share one crop and one flip. Evaluation splits
are resized to ``crop_size`` with no crop or flip, as the authors' ``test.py`` does (it sets
``load_size = crop_size`` and ``no_flip``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms.v2 import functional as TF

from ganzoo.data import archives
from ganzoo.data.base import GANDataModule, default_data_dir, missing_dataset_error, no_empty_folders_left
from ganzoo.data.image_folder import IMAGE_SUFFIXES

Direction = Literal["AtoB", "BtoA"]


@dataclass(frozen=True)
class Jitter:
    """One draw of the authors' ``get_params``: the crop's top-left corner and whether to flip."""

    x: int
    y: int
    flip: bool

    @classmethod
    def draw(cls, load_size: int, crop_size: int, flip: bool = True) -> Jitter:
        """Uniform corner in [0, load_size - crop_size]^2 (torch's RNG, seeded per DataLoader worker)."""
        x, y = torch.randint(0, load_size - crop_size + 1, (2,)).tolist()
        return cls(x, y, flip and bool(torch.rand(()) < 0.5))


def preprocess(image: Image.Image, load_size: int, crop_size: int, jitter: Jitter | None) -> Tensor:
    """PIL image -> float (C, crop_size, crop_size) in [-1, 1]; ``jitter=None`` is the evaluation path."""
    size = load_size if jitter is not None else crop_size
    x = TF.pil_to_tensor(image.convert("RGB").resize((size, size), Image.BICUBIC))
    if jitter is not None:
        x = x[:, jitter.y : jitter.y + crop_size, jitter.x : jitter.x + crop_size]
        if jitter.flip:
            x = x.flip(-1)
    return x.float().div_(127.5).sub_(1.0)


def has_images(folder: Path) -> bool:
    """Whether ``folder`` holds an image file, in it or in a sub-folder, as the split's file list counts
    them (cheap even for the 50k-image edges2shoes: the search stops at the first one)."""
    return folder.is_dir() and any(
        p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() for p in folder.rglob("*")
    )


class SideDataset(Dataset):
    """One side of a translation dataset as ``(image, 0)`` items, the form the FID reference reads."""

    def __init__(self, pairs: Dataset, side: str) -> None:
        self.pairs, self.side = pairs, side

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, i: int) -> tuple[Tensor, int]:
        return self.pairs[i][self.side], 0


class TranslationDataModule(GANDataModule):
    """Base of ``Paired`` and ``Unpaired``: splits found on disk, jitter settings, download, loaders.

    Args:
        dataset: the official dataset name, used for the download URL and the default ``data_dir``
            (``None``: the class's ``default_dataset``).
        data_dir: the folder that holds the splits; defaults to ``default_data_dir(dataset)``.
        direction: ``"AtoB"`` or ``"BtoA"`` (swap the stored sides).
        load_size: training images are resized to this square before cropping (the authors' 286).
        crop_size: the side of training crops and of evaluation images (the authors' 256).
        flip: random horizontal flips in training (the authors' ``--no_flip`` turns them off).
        val_split: the split ``val_dataloader`` reads; ``None``: ``val`` when there is one, else ``test``.
        batch_size, num_workers, download: as in every ganzoo DataModule.
    """

    archive_url = ""
    downloadable: tuple[str, ...] = ()
    published: dict[str, archives.Published] = {}
    default_dataset = ""
    layout: tuple[str, ...] = ()
    split_names: tuple[str, ...] = ()

    def __init__(
        self,
        dataset: str | None = None,
        data_dir: str | Path | None = None,
        direction: Direction = "AtoB",
        load_size: int = 286,
        crop_size: int = 256,
        flip: bool = True,
        val_split: str | None = None,
        batch_size: int = 1,
        num_workers: int = 0,
        download: bool = True,
    ) -> None:
        if direction not in ("AtoB", "BtoA"):
            raise ValueError(f"direction must be 'AtoB' or 'BtoA', got {direction!r}")
        if not 0 < crop_size <= load_size:
            raise ValueError(
                f"need 0 < crop_size <= load_size, got crop_size={crop_size}, load_size={load_size}"
            )
        dataset = dataset or self.default_dataset
        super().__init__(
            data_dir if data_dir is not None else default_data_dir(dataset),
            crop_size,
            batch_size,
            num_workers,
            download,
        )
        self.dataset_name, self.direction = dataset, direction
        self.load_size, self.crop_size, self.flip = load_size, crop_size, flip
        self.val_split = val_split

    # --- what a subclass supplies -----------------------------------------------------------------

    def present_splits(self) -> tuple[str, ...]:
        """The splits found under ``data_dir``."""
        raise NotImplementedError

    def side(self, split: str, side: str) -> Dataset:
        """The images of one side (``"A"`` or ``"B"``, after ``direction``) of ``split``, un-jittered."""
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------------

    @property
    def splits(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.present_splits()

    def stored_sides(self) -> tuple[str, str]:
        """Which stored side is the input and which the target."""
        return ("A", "B") if self.direction == "AtoB" else ("B", "A")

    def draw_jitter(self) -> Jitter:
        """A fresh crop and flip for one training item (or pair)."""
        return Jitter.draw(self.load_size, self.crop_size, self.flip)

    def prepare_split(self, split: str) -> None:
        """Download when the data is missing (and allowed), then check that ``split`` exists."""
        if not self.present_splits() and self.download:
            self._download()
        present = self.present_splits()
        if not present:
            raise missing_dataset_error(self._label(), self.data_dir, self.layout, self._source())
        if split not in present:
            raise ValueError(f"{self.data_dir} has the splits {list(present)}, not {split!r}")

    def _label(self) -> str:
        return f"{self.dataset_name} ({self.name} format)"

    def _source(self) -> str:
        if self.dataset_name in self.downloadable:
            return self.archive_url.format(self.dataset_name)
        known = ", ".join(self.downloadable)
        return f"its authors ({self.dataset_name!r} is not one of the archives ganzoo fetches: {known})"

    def _download(self) -> None:
        if self.dataset_name not in self.downloadable:
            return
        url = self.archive_url.format(self.dataset_name)
        with no_empty_folders_left(self.data_dir):
            try:
                archive = archives.fetch(url, self.data_dir.parent, self.published.get(self.dataset_name))
            except Exception as err:  # offline machines, moved files, HTTP errors and short transfers alike
                raise missing_dataset_error(
                    self._label(), self.data_dir, self.layout, url, f"download failed: {err}"
                ) from err
            try:
                archives.extract(archive, self.data_dir, top=self.dataset_name)
            except (archives.UnsafeArchiveError, archives.DamagedArchiveError) as err:
                raise type(err)(f"{err} (downloaded from {url}; the archive was deleted)") from None
            finally:
                archive.unlink(missing_ok=True)

    def eval_split(self) -> str:
        """The split validation reads: ``val_split``, else ``val`` when present, else ``test``."""
        if self.val_split is not None:
            return self.val_split
        return "val" if "val" in self.present_splits() else "test"

    def _eval_loader(self, split: str) -> DataLoader:
        return DataLoader(self.dataset(split), batch_size=self.batch_size, num_workers=self.num_workers)

    def val_dataloader(self) -> DataLoader:
        return self._eval_loader(self.eval_split())

    def test_dataloader(self) -> DataLoader:
        return self._eval_loader("test" if "test" in self.present_splits() else self.eval_split())
