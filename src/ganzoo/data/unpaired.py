"""Two unaligned image collections in CycleGAN's layout (Zhu et al. 2017): ``trainA/ trainB/ testA/ testB/``.

Sampling follows the authors' ``unaligned_dataset.py``: an epoch has max(len A, len B) items; item ``i``
is A's image ``i mod len A`` (the loader shuffles the order) with a B image drawn uniformly at random each
time, so no fixed pairing is ever learned. Evaluation splits pair ``i mod len A`` with ``i mod len B``, as
the authors' test script (``serial_batches``) does. Each image gets its own crop and flip.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo.data.archives import Published
from ganzoo.data.image_folder import ImageFilesDataset, list_images, read_rgb
from ganzoo.data.translation import TranslationDataModule, has_images, preprocess
from ganzoo.registry import DATASETS


class UnpairedDataset(Dataset):
    """``{"A", "B"}`` items from two folders that need not match in size or order."""

    def __init__(self, files_a: list[Path], files_b: list[Path], datamodule: Unpaired, train: bool) -> None:
        self.files_a, self.files_b, self.dm, self.train = files_a, files_b, datamodule, train

    def __len__(self) -> int:
        return max(len(self.files_a), len(self.files_b))

    def _load(self, path: Path) -> Tensor:
        jitter = self.dm.draw_jitter() if self.train else None
        return preprocess(read_rgb(path), self.dm.load_size, self.dm.crop_size, jitter)

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        j = int(torch.randint(len(self.files_b), ())) if self.train else i % len(self.files_b)
        return {"A": self._load(self.files_a[i % len(self.files_a)]), "B": self._load(self.files_b[j])}


@DATASETS.register
class Unpaired(TranslationDataModule):
    """Unpaired image-to-image data; the arguments are ``TranslationDataModule``'s.

    ``dataset`` names one of the authors' archives (``horse2zebra``, ``summer2winter_yosemite``,
    ``apple2orange``, ``monet2photo`` ...), fetched from their server when ``download`` is on and the data
    is missing. Only ``train`` and ``test`` exist, so validation reads ``test``. A download is checked
    against the size and sha256 published for it (all but ``ae_photos``), else against the server's length.
    """

    name = "unpaired"
    archive_url = "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{}.zip"
    downloadable = (
        "apple2orange",
        "summer2winter_yosemite",
        "horse2zebra",
        "monet2photo",
        "cezanne2photo",
        "ukiyoe2photo",
        "vangogh2photo",
        "maps",
        "cityscapes",
        "facades",
        "iphone2dslr_flower",
        "ae_photos",
    )
    # Sizes and sha256 of the authors' zips as TensorFlow Datasets publishes them (its url_checksums/
    # cycle_gan.txt, for the same files at their former address people.eecs.berkeley.edu/~taesung_park/).
    published = {
        "apple2orange": Published(
            78456409, "845a191e9af8926408ea597001cd03a452e3300a1f44a79fe329b3d59f6e3eb8"
        ),
        "cezanne2photo": Published(
            279885071, "3a6c10ca21f9485862f1cbd707744b9dc258954a04631271d23a3605eeb63cff"
        ),
        "cityscapes": Published(
            279601602, "d2f6910fd056c1ee9873777ae838e7ac4a2c833598ae62a04188e5ab2f4ea036"
        ),
        "facades": Published(35135868, "9a31ebf3a31b9b5cd195dd5bf62e9308e00cb94604d1019e3889ac84248695c0"),
        "horse2zebra": Published(
            116867962, "a74d9d392eecca9966b51287a76ca126af473d9de4f3e8fc0e9cda08fa1730a1"
        ),
        "iphone2dslr_flower": Published(
            339964458, "8fcb5e374d631b107e1d961b8c4cd0a186aa2a4ff3e279923f4c426128de7113"
        ),
        "maps": Published(1476754427, "639534f69dbf9f36bef8d6292a7698006361221f83f0285d7c9ca78afe6e8a9e"),
        "monet2photo": Published(
            305231073, "88f91b00fc228f97c9411fbf1880ec1d119c98f1722e4cfcfaa2fb35fac05b04"
        ),
        "summer2winter_yosemite": Published(
            132640856, "167fe1726807a9d22bd106b4a6c0bd7953b688af924ac1bf967439c4961e49f9"
        ),
        "ukiyoe2photo": Published(
            292946532, "02a2a2fb5ecf425ca1bf86aca7304377da64a2a1d3b86df54eb65e4068bf3b08"
        ),
        "vangogh2photo": Published(
            306590349, "362c3473e70be0944bda08d49d660eafdc2854df55d697835b8186d1d79caaff"
        ),
    }
    default_dataset = "horse2zebra"
    layout = ("trainA/*.jpg", "trainB/*.jpg", "testA/*.jpg", "testB/*.jpg")
    split_names = ("train", "test")

    def present_splits(self) -> tuple[str, ...]:
        return tuple(s for s in self.split_names if all(has_images(self.data_dir / f"{s}{x}") for x in "AB"))

    def _files(self, split: str, side: str) -> list[Path]:
        self.prepare_split(split)
        stored = dict(zip("AB", self.stored_sides(), strict=True))[side]
        return list_images(self.data_dir / f"{split}{stored}")

    def dataset(self, split: str) -> Dataset:
        return UnpairedDataset(self._files(split, "A"), self._files(split, "B"), self, split == "train")

    def side(self, split: str, side: str) -> Dataset:
        transform = functools.partial(
            preprocess, load_size=self.load_size, crop_size=self.crop_size, jitter=None
        )
        return ImageFilesDataset(self._files(split, side), transform)
