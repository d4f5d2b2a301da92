"""Image-to-image metrics: FID of translated test images against the target domain, and for paired data
the per-image distances to the ground truth (L1, PSNR, SSIM).

FID follows the protocol behind the commonly cited numbers (pix2pix facades, CycleGAN horse2zebra): every
test input is translated once and the translations are compared with the target domain's real test images
at the same resolution, with the standard Inception. Test sets are small (facades: 106 images), so the FID
is biased upward by the few samples and only compares with numbers measured on the same set.

Translations are rounded to 8-bit levels first, as if saved to PNG, for every metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader
from torchmetrics import MeanAbsoluteError, MeanMetric
from torchmetrics.functional.image import structural_similarity_index_measure
from torchmetrics.image import PeakSignalNoiseRatio

from ganzoo.data.translation import TranslationDataModule
from ganzoo.metrics.extractor import as_extractor, prepare_images
from ganzoo.metrics.stats import FeatureStats, reference_stats
from ganzoo.metrics.suite import GenerativeMetrics

PAIRED_PROTOCOL = {
    "l1": "mean |fake - real| over pixels and channels, in [-1, 1] units (pix2pix's L1 term)",
    "psnr": "torchmetrics PeakSignalNoiseRatio on (x + 1) / 2, data_range=1 (= 8-bit with 255), "
    "per image then averaged",
    "ssim": "Wang et al. 2004 on (x + 1) / 2, data_range=1, Gaussian 11x11 window sigma 1.5, k1 0.01, "
    "k2 0.03, valid window positions only (as ssim.m and scikit-image), each RGB channel, per image then "
    "averaged",
}
SSIM_WINDOW = 11


def ssim_per_image(fake: Tensor, real: Tensor) -> Tensor:
    """SSIM of each image pair in [0, 1]. torchmetrics pads the borders by reflection and averages the whole
    map; cropping the padded border leaves the valid positions that Wang et al.'s code averages."""
    _, full = structural_similarity_index_measure(
        fake, real, data_range=1.0, kernel_size=SSIM_WINDOW, reduction="none", return_full_image=True
    )
    border = SSIM_WINDOW // 2
    return full[..., border:-border, border:-border].flatten(1).mean(1)


class TargetDomain:
    """The target side of a translation DataModule, shaped like the DataModules ``reference_stats`` reads.

    Its name says which stored half or folder it is, so cached statistics are shared between directions.
    """

    def __init__(self, datamodule: TranslationDataModule) -> None:
        self.datamodule = datamodule
        self.name = f"{datamodule.dataset_name}-{datamodule.name}-{datamodule.stored_sides()[1]}"
        self.data_dir, self.image_size = datamodule.data_dir, datamodule.crop_size

    def dataset(self, split: str) -> Any:
        return self.datamodule.side(split, "B")


class TranslationMetrics(nn.Module):
    """FID against ``reference`` and, with ``paired=True``, L1 / PSNR / SSIM against the ground truth.

    Args:
        reference: statistics of the target domain's real images (``None``: no FID).
        extractor: the FID feature extractor; ``None``: the standard Inception.
        paired: whether ``update`` gets the ground truth of each translation.
    """

    def __init__(
        self, reference: FeatureStats | None, extractor: nn.Module | None = None, paired: bool = True
    ) -> None:
        super().__init__()
        if reference is None and not paired:
            raise ValueError("nothing to measure: unpaired data needs reference statistics for FID")
        self.fid = None if reference is None else GenerativeMetrics(reference, extractor, ["fid"])
        self.paired = paired
        if paired:
            self.l1 = MeanAbsoluteError()
            self.psnr = PeakSignalNoiseRatio(data_range=1.0, dim=(1, 2, 3))
            self.ssim = MeanMetric()

    def update(self, fake: Tensor, real: Tensor | None = None) -> None:
        """A batch of translations in [-1, 1] and, for paired data, their ground truth."""
        if self.fid is not None:
            self.fid.update(fake)
        if not self.paired:
            return
        if real is None or real.shape != fake.shape:
            shape = None if real is None else tuple(real.shape)
            raise ValueError(
                f"paired metrics need the ground truth of shape {tuple(fake.shape)}, got {shape}"
            )
        fake, real = prepare_images(fake).contiguous(), prepare_images(real).contiguous()
        self.l1.update(fake, real)
        self.psnr.update((fake + 1) / 2, (real + 1) / 2)
        self.ssim.update(ssim_per_image((fake + 1) / 2, (real + 1) / 2))

    def compute(self) -> dict[str, float]:
        out = {} if self.fid is None else self.fid.compute()
        if self.paired:
            out.update(l1=float(self.l1.compute()), psnr=float(self.psnr.compute()))
            out["ssim"] = float(self.ssim.compute())
        return out

    def reset(self) -> None:
        for metric in (self.fid, *([self.l1, self.psnr, self.ssim] if self.paired else [])):
            if metric is not None:
                metric.reset()

    def protocol(self) -> dict[str, Any]:
        out: dict[str, Any] = {"quantize": "8-bit (round((x + 1) * 127.5))"}
        if self.fid is not None:
            out["fid"] = self.fid.protocol()
        if self.paired:
            out.update(PAIRED_PROTOCOL)
        return out


def evaluate_translation(
    translate: Callable[[Tensor], Tensor],
    datamodule: TranslationDataModule,
    split: str = "test",
    *,
    extractor: nn.Module | None = None,
    fid: bool = True,
    paired: bool | None = None,
    batch_size: int = 1,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    """Translate every input image of ``split`` once and measure the result; values plus protocol.

    Args:
        translate: maps a batch of inputs in [-1, 1] to translations in [-1, 1] (``model.translate``).
        datamodule: a ``Paired`` or ``Unpaired`` DataModule; its ``direction`` and ``crop_size`` apply.
        split: the split to translate (the authors report ``test``; sets without one use ``val``).
        extractor: FID feature extractor; ``None``: the standard Inception.
        fid: measure FID against the target side of ``split``.
        paired: measure L1 / PSNR / SSIM; ``None``: when the DataModule is ``paired``.
        batch_size: images per ``translate`` call. 1, as the authors' ``test.py``: a pix2pix generator run
            with batch statistics (their default test mode) gives outputs that depend on the whole batch.
    """
    paired = datamodule.name == "paired" if paired is None else paired
    reference = None
    if fid:
        extractor = as_extractor(extractor).to(device)
        reference = reference_stats(TargetDomain(datamodule), split, extractor=extractor)
    metrics = TranslationMetrics(reference, extractor, paired=paired).to(device)
    inputs = DataLoader(datamodule.side(split, "A"), batch_size=batch_size)
    if paired:
        batches = zip(inputs, DataLoader(datamodule.side(split, "B"), batch_size=batch_size), strict=True)
    else:
        batches = ((images, None) for images in inputs)
    count = 0
    for (images, _), truth in batches:
        with torch.no_grad():
            fake = translate(images.to(device))
        metrics.update(fake, None if truth is None else truth[0].to(device))
        count += len(fake)
    protocol = {
        "dataset": datamodule.dataset_name,
        "format": datamodule.name,
        "direction": datamodule.direction,
        "split": split,
        "num_translated": count,
        "translate_batch_size": batch_size,
        "image_size": f"{datamodule.crop_size} (bicubic resize of the whole image, no crop or flip)",
        **metrics.protocol(),
    }
    return {**metrics.compute(), "protocol": protocol}
