"""The digit classifier that reads generated samples: it learns, it is cached, and on real MNIST it is
accurate enough to judge a generator (>= 98.5% on the test set)."""

from __future__ import annotations

import pytest
import torch

from ganzoo.metrics.classifier import (
    DigitClassifier,
    accuracy,
    class_histogram,
    digit_classifier,
    mnist_split,
    train_digit_classifier,
    within_class_variety,
)


def test_it_learns_a_separable_toy_task_and_reads_any_size() -> None:
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(200) % 2
    images = torch.full((200, 1, 28, 28), -1.0)
    images[labels == 1, :, :, :14] = 1.0  # digit "1": left half bright
    images += 0.1 * torch.randn(images.shape, generator=g)
    model = train_digit_classifier(images.clamp(-1, 1), labels, epochs=2, batch_size=50)
    assert accuracy(model, images, labels) == 1.0
    hist = class_histogram(model, images)
    assert hist.shape == (10,) and hist.sum() == pytest.approx(1.0) and hist[0] == hist[1] == 0.5
    assert model(torch.zeros(3, 1, 32, 32)).shape == (3, 10)  # resized to 28 first


def test_it_is_trained_once_per_folder_and_cached(mnist_dir) -> None:
    first = digit_classifier(mnist_dir, epochs=1)
    again = digit_classifier(mnist_dir, epochs=1)
    assert isinstance(again, DigitClassifier)
    for (k, a), b in zip(first.state_dict().items(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b), k


@pytest.mark.slow
def test_it_reaches_98_5_percent_on_the_mnist_test_set(real_mnist) -> None:
    model = digit_classifier(real_mnist)
    acc = accuracy(model, *mnist_split(real_mnist, "test"))
    print(f"digit classifier test accuracy: {acc:.4f}")
    assert acc >= 0.985


def test_within_class_variety_is_the_ratio_of_mean_pairwise_distances() -> None:
    torch.manual_seed(0)
    real, real_labels = torch.randn(40, 1, 4, 4), torch.arange(2).repeat(20)
    assert within_class_variety(real, real_labels, real, real_labels) == pytest.approx([1.0, 1.0])
    # one image per class: no variety, whatever the images look like
    copies = real[:2].repeat(20, 1, 1, 1)
    assert within_class_variety(copies, real_labels, real, real_labels) == pytest.approx([0.0, 0.0])
    # the formula: mean over ordered pairs i != j of ||x_i - x_j||, against a loop
    fake = real * 0.5
    x = fake[real_labels == 1].flatten(1)
    r = real[real_labels == 1].flatten(1)

    def mean_distance(v):
        return sum((a - b).norm() for i, a in enumerate(v) for j, b in enumerate(v) if i != j) / (
            len(v) * (len(v) - 1)
        )

    expected = (mean_distance(x) / mean_distance(r)).item()
    assert within_class_variety(fake, real_labels, real, real_labels)[1] == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(0.5, rel=1e-6)  # distances scale with the images
    with pytest.raises(ValueError, match="at least 2 images"):
        within_class_variety(real[:3], real_labels[:3], real, real_labels)
