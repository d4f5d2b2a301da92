"""CelebA (Liu et al. 2015), aligned faces, with DCGAN's preprocessing: a centre crop around the face
(108 px of the official 178x218 images, scaled with the image) then a resize to ``image_size``.

Reads the images from ``<data_dir>/celeba/img_align_celeba`` (torchvision's layout),
``<data_dir>/img_align_celeba`` or ``data_dir`` itself. Splits follow ``list_eval_partition.txt`` when it is
there (train / valid / test); a folder without it (a subset) keeps its last ``test_fraction`` of images, in
file order, as ``test``.
"""

from __future__ import annotations

from pathlib import Path

import torchvision
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ganzoo.data.base import DamagedFileError, GANDataModule, missing_dataset_error
from ganzoo.data.image_folder import ImageFilesDataset, image_transform, list_images
from ganzoo.registry import DATASETS

_OFFICIAL_WIDTH = 178
_SPLIT_CODES = {"train": "0", "valid": "1", "test": "2"}
_JPEG = (".jpg", ".jpeg")


@DATASETS.register
class CelebA(GANDataModule):
    name = "celeba"
    splits = ("train", "valid", "test")

    def __init__(
        self,
        data_dir: str | Path | None = None,
        image_size: int | None = None,
        crop: int | None = 108,
        test_fraction: float = 0.1,
        batch_size: int = 128,
        num_workers: int = 0,
        download: bool = True,
    ) -> None:
        super().__init__(data_dir, image_size, batch_size, num_workers, download)
        self.crop, self.test_fraction = crop, test_fraction

    def _image_dir(self) -> Path | None:
        for folder in (
            self.data_dir / "celeba" / "img_align_celeba",
            self.data_dir / "img_align_celeba",
            self.data_dir,
        ):
            if folder.is_dir() and any(p.suffix.lower() in _JPEG for p in folder.iterdir()):
                return folder
        return None

    def _crop(self, image: Tensor) -> Tensor:
        side = round(self.crop * image.shape[-1] / _OFFICIAL_WIDTH)
        return TF.center_crop(image, [side, side])

    def dataset(self, split: str) -> Dataset:
        self.check_split(split)
        folder = self._image_dir()
        if folder is None and self.download:
            try:
                torchvision.datasets.CelebA(str(self.data_dir), split="all", download=True)
            except Exception as err:  # Google Drive quota errors and offline machines alike
                raise missing_dataset_error(
                    "celeba",
                    self.data_dir,
                    ["img_align_celeba/000001.jpg ..."],
                    "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
                    f"download failed: {err}",
                ) from err
            folder = self._image_dir()
        if folder is None:
            raise missing_dataset_error(
                "celeba",
                self.data_dir,
                ["img_align_celeba/000001.jpg ..."],
                "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
            )
        files = self._split_files(folder, split)
        return ImageFilesDataset(
            files, image_transform(self.image_size, crop=self._crop if self.crop else None)
        )

    def _split_files(self, folder: Path, split: str) -> list[Path]:
        partition = next(
            (
                p
                for p in (folder.parent / "list_eval_partition.txt", folder / "list_eval_partition.txt")
                if p.is_file()
            ),
            None,
        )
        if partition is not None:
            return _partition_files(partition, folder, _SPLIT_CODES[split])
        files = list_images(folder)
        n_test = round(len(files) * self.test_fraction)
        if split == "valid":
            raise ValueError(
                f"{folder} has no list_eval_partition.txt, so only 'train' and 'test' splits exist"
            )
        return files[: len(files) - n_test] if split == "train" else files[len(files) - n_test :]


def _partition_files(partition: Path, folder: Path, code: str) -> list[Path]:
    """The images ``partition`` assigns the split ``code``, found in ``folder`` whatever the case of their
    suffix (``000001.jpg`` may be ``000001.JPG`` on disk); an unknown code or a missing image is an error."""
    on_disk = {p.name.lower(): p for p in folder.iterdir()}
    files, missing = [], []
    for number, line in enumerate(partition.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2 or fields[1] not in _SPLIT_CODES.values():
            raise DamagedFileError(
                f"{partition} line {number} is {line.strip()!r}: expected '<image name> <split code>' with a "
                f"code in 0 (train), 1 (valid), 2 (test). Fix the line, or remove the file to split {folder} "
                f"by test_fraction"
            )
        name, line_code = fields
        if line_code != code:
            continue
        path = on_disk.get(name.lower())
        if path is None:
            missing.append(name)
        else:
            files.append(path)
    if missing:
        raise DamagedFileError(
            f"{partition} lists {len(missing)} images of this split that are not in {folder} (first: "
            f"{missing[0]}): put them there, or remove the partition file to split the folder by "
            f"test_fraction"
        )
    return files
