"""A face-attribute classifier trained by ganzoo on CelebA, to judge attribute translation independently of
the translating model: a StarGAN's own auxiliary classifier is trained with its generator, so it is an
optimistic judge of whether a translated face has the target attribute.

``celeba_attribute_classifier(data_dir)`` trains a small multi-label CNN once per CelebA folder on its train
split only (StarGAN's five attributes, StarGAN's centre crop at 64x64, random flips; Adam, binary
cross-entropy) and caches the weights beside the digit classifier's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader

from ganzoo.data.celeba_attributes import STARGAN_ATTRIBUTES, CelebAAttributes
from ganzoo.metrics.trained_judge import cached_judge, eval_logits

SIZE = 64  # what it is trained on; other sizes are resized to it


def _stage(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True))


class AttributeClassifier(nn.Module):
    """Faces in [-1, 1] (N, 3, H, W) -> one logit per attribute (positive: the face has it): four strided
    4x4 convolutions with batch norm (32, 64, 128, 256 channels; 64 -> 4 px), then dropout and a linear
    layer on the 4x4 map, which keeps where a feature is (hair above the face, not on
    it). Small enough to train in minutes on one CPU core."""

    def __init__(self, num_attributes: int = len(STARGAN_ATTRIBUTES)) -> None:
        super().__init__()
        self.features = nn.Sequential(_stage(3, 32), _stage(32, 64), _stage(64, 128), _stage(128, 256))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(256 * 4 * 4, num_attributes))

    def forward(self, images: Tensor) -> Tensor:
        if images.shape[-1] != SIZE or images.shape[-2] != SIZE:
            images = F.interpolate(images, size=(SIZE, SIZE), mode="bilinear", antialias=True)
        return self.head(self.features(images))

    def predict(self, images: Tensor, batch_size: int = 500) -> Tensor:
        """1 where a face is predicted to have an attribute, 0 where not (N, num_attributes), in eval mode."""
        return (eval_logits(self, images, batch_size) > 0).float()


def train_attribute_classifier(
    images: Tensor, labels: Tensor, *, epochs: int = 6, batch_size: int = 64, lr: float = 2e-3, seed: int = 0
) -> AttributeClassifier:
    """Train an ``AttributeClassifier`` on faces in [-1, 1] (N, 3, 64, 64) and their 0 / 1 ``labels``
    (N, A), with random horizontal flips and a cosine-annealed learning rate."""
    torch.manual_seed(seed)
    model = AttributeClassifier(labels.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        torch.utils.data.TensorDataset(images, labels), batch_size=batch_size, shuffle=True, generator=g
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * len(loader))
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            flip = torch.rand(len(x), generator=g) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
            opt.zero_grad(set_to_none=True)
            F.binary_cross_entropy_with_logits(model(x), y).backward()
            opt.step()
            schedule.step()
    return model.eval()


def attribute_accuracy(classifier: AttributeClassifier, images: Tensor, labels: Tensor) -> Tensor:
    """Per attribute, the share of ``images`` whose prediction equals ``labels`` (A,)."""
    return (classifier.predict(images) == labels).double().mean(0)


def majority_accuracy(train_labels: Tensor, labels: Tensor) -> Tensor:
    """Per attribute, the accuracy on ``labels`` of always answering the majority value of ``train_labels``:
    the baseline an attribute classifier has to beat (A,)."""
    majority = (train_labels.mean(0) >= 0.5).float()
    return (labels == majority).double().mean(0)


def celeba_split(
    data_dir: str | Path, split: str, attributes: Sequence[str] = STARGAN_ATTRIBUTES
) -> tuple[Tensor, Tensor]:
    """All faces of a CelebA split at 64x64 in [-1, 1] (StarGAN's crop, no flips) and their attributes."""
    dm = CelebAAttributes(data_dir, attributes=attributes, image_size=SIZE, flip=False, download=False)
    dataset = dm.dataset(split)
    images, labels = zip(*DataLoader(dataset, batch_size=500), strict=True)
    return torch.cat(images), torch.cat(labels)


def celeba_attribute_classifier(
    data_dir: str | Path,
    attributes: Sequence[str] = STARGAN_ATTRIBUTES,
    *,
    epochs: int = 6,
    seed: int = 0,
) -> AttributeClassifier:
    """The classifier trained on the train split of the CelebA folder ``data_dir`` for ``attributes``: from
    the cache, or trained (a few minutes on one CPU core) and cached."""
    return cached_judge(
        "celeba-attributes",
        data_dir,
        f"{'-'.join(attributes)}-e{epochs}-s{seed}",
        AttributeClassifier(len(attributes)),
        lambda folder: train_attribute_classifier(
            *celeba_split(folder, "train", attributes), epochs=epochs, seed=seed
        ),
    )
