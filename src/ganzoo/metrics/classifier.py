"""A digit classifier trained by ganzoo on MNIST train, to read what a generator draws: class histograms
of samples (mode coverage), how often a conditional model draws the digit it was asked for, and how varied
its draws of one digit are.

``digit_classifier(data_dir)`` trains it once per MNIST folder (a LeNet-style CNN, Adam, 3 epochs: about
99% on the test set) and caches the weights as safetensors beside the reference statistics.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader

from ganzoo.data.mnist import MNIST
from ganzoo.metrics.trained_judge import cached_judge, eval_logits

SIZE = 28  # what it is trained on; other sizes are resized to it


class DigitClassifier(nn.Module):
    """Images in [-1, 1] (N, 1, H, W) -> 10 logits: conv 5x5 32, pool, conv 5x5 64, pool, FC 256, FC 10."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2),
            nn.ReLU(True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2),
            nn.ReLU(True),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(0.25),
            nn.Linear(64 * 7 * 7, 256),
            nn.ReLU(True),
            nn.Linear(256, 10),
        )

    def forward(self, images: Tensor) -> Tensor:
        if images.shape[-1] != SIZE or images.shape[-2] != SIZE:
            images = F.interpolate(images, size=(SIZE, SIZE), mode="bilinear", antialias=True)
        return self.net(images)

    def predict(self, images: Tensor, batch_size: int = 500) -> Tensor:
        """The predicted digit of each image, in eval mode."""
        return eval_logits(self, images, batch_size).argmax(1)


def train_digit_classifier(
    images: Tensor, labels: Tensor, *, epochs: int = 3, batch_size: int = 128, seed: int = 0
) -> DigitClassifier:
    """Train a ``DigitClassifier`` on ``images`` in [-1, 1] (N, 1, 28, 28) and their ``labels``."""
    torch.manual_seed(seed)
    model = DigitClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(
        torch.utils.data.TensorDataset(images, labels),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
    return model.eval()


def accuracy(classifier: DigitClassifier, images: Tensor, labels: Tensor) -> float:
    """Share of ``images`` classified as their ``labels``."""
    return (classifier.predict(images) == labels).double().mean().item()


def class_histogram(classifier: DigitClassifier, images: Tensor) -> Tensor:
    """Share of ``images`` classified as each of the 10 digits (sums to 1)."""
    return torch.bincount(classifier.predict(images), minlength=10).double() / len(images)


def within_class_variety(
    images: Tensor, labels: Tensor, real: Tensor, real_labels: Tensor, per_class: int = 200
) -> list[float]:
    """Per class, the mean pixel distance between two different images among the first ``per_class`` of
    ``images`` with that label, over the same among ``real``'s: 1 is as varied as the real images, ~0 one
    image per class, which class accuracy and histograms cannot see."""

    def spread(x: Tensor) -> float:
        x = x[:per_class].flatten(1).double()
        if len(x) < 2:
            raise ValueError(f"within-class variety needs at least 2 images of each class, got {len(x)}")
        return (torch.cdist(x, x).sum() / (len(x) * (len(x) - 1))).item()

    classes = torch.unique(real_labels).tolist()
    return [spread(images[labels == c]) / spread(real[real_labels == c]) for c in classes]


def mnist_split(data_dir: str | Path, split: str) -> tuple[Tensor, Tensor]:
    """All images of an MNIST split at 28x28 in [-1, 1], and their labels."""
    dataset = MNIST(data_dir=data_dir, image_size=SIZE, download=False).dataset(split)
    images, labels = next(iter(DataLoader(dataset, batch_size=len(dataset))))
    return images, labels


def digit_classifier(data_dir: str | Path, *, epochs: int = 3, seed: int = 0) -> DigitClassifier:
    """The classifier trained on MNIST train in ``data_dir``: from the cache, or trained (minutes on a CPU)
    and cached, keyed by the folder's contents, the epochs and the seed."""
    return cached_judge(
        "digits",
        data_dir,
        f"e{epochs}-s{seed}",
        DigitClassifier(),
        lambda folder: train_digit_classifier(*mnist_split(folder, "train"), epochs=epochs, seed=seed),
    )
