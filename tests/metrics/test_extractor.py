"""Any module as the extractor, and clear errors for images it cannot measure."""

import pytest
import torch
from torch import nn

from ganzoo.metrics import FeatureExtractor, prepare_images


class TinyRGB(nn.Module):
    in_channels = 3

    def forward(self, x):
        return {"features": x.mean((2, 3)), "logits": x.amax((2, 3))}


def test_plain_module_output_serves_as_features_and_logits():
    extractor = FeatureExtractor(nn.Sequential(nn.Conv2d(1, 4, 3), nn.AdaptiveAvgPool2d(1)))
    features, logits = extractor(torch.rand(5, 1, 8, 8) * 2 - 1)
    assert features.shape == (5, 4) and torch.equal(features, logits)
    assert extractor.name == "Sequential" and "extractor_sha" in extractor.describe()


def test_grayscale_is_replicated_for_an_rgb_extractor_and_images_are_quantized():
    images = torch.rand(2, 1, 4, 4) * 2 - 1
    features, logits = FeatureExtractor(TinyRGB())(images)
    q = torch.round((images + 1) * 127.5) / 127.5 - 1
    torch.testing.assert_close(features, q.mean((2, 3)).expand(2, 3))
    assert logits.shape == (2, 3)


def test_uint8_images_are_taken_as_0_to_255():
    images = torch.tensor([0, 128, 255], dtype=torch.uint8).reshape(1, 1, 1, 3)
    torch.testing.assert_close(
        prepare_images(images), torch.tensor([-1.0, 128 / 127.5 - 1, 1.0]).reshape(1, 1, 1, 3)
    )


def test_out_of_range_images_are_an_error():
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\].*got \[0, 255\]"):
        prepare_images(torch.linspace(0, 255, 48).reshape(1, 3, 4, 4))
    with pytest.raises(ValueError, match="NaN or Inf"):
        prepare_images(torch.full((1, 3, 2, 2), float("nan")))


def test_images_in_0_1_get_a_warning():
    with pytest.warns(UserWarning, match=r"in \[0, 1\], map them to \[-1, 1\]"):
        prepare_images(torch.rand(4, 3, 32, 32))


def test_wrong_dtype_shape_and_channels_are_errors():
    with pytest.raises(TypeError, match="floating-point tensor in \\[-1, 1\\] or uint8"):
        prepare_images(torch.zeros(1, 3, 4, 4, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        prepare_images(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="takes 3-channel images, got 4 channels"):
        FeatureExtractor(TinyRGB())(torch.zeros(1, 4, 4, 4))


def test_module_with_an_unusable_output_is_an_error():
    class Bad(nn.Module):
        def forward(self, x):
            return [x]

    with pytest.raises(TypeError, match="must return a feature tensor or a mapping"):
        FeatureExtractor(Bad())(torch.zeros(1, 3, 2, 2))
