"""The network FID, IS and KID are defined with: TensorFlow's 2015-12-05 Inception graph.

It is not torchvision's Inception-v3 (another training run, 1000 classes, other pooling), which is why
numbers measured with torchvision's weights do not compare with published ones. The blocks are
torch-fidelity's PyTorch port, the network torchmetrics' default extractor runs, so a state dict in
torch-fidelity's layout loads as is.
"""

from __future__ import annotations

import os

import torch
from torch import Tensor, nn
from torch_fidelity.feature_extractor_inceptionv3 import (
    BasicConv2d,
    InceptionA,
    InceptionB,
    InceptionC,
    InceptionD,
    InceptionE_1,
    InceptionE_2,
)
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

from ganzoo.hub.inception import standard_weights

INPUT_SIZE = 299


class InceptionV3(nn.Module):
    """The 2015-12-05 Inception on RGB images in [-1, 1] (ganzoo's convention), any size.

    An 8-bit value v arrives as ``v / 127.5 - 1``; like the original TensorFlow graph, the network resizes
    the 8-bit values to 299x299 (bilinear, TF1 sampling grid, no antialiasing) and scales them as
    ``(v - 128) / 128``. Returns the 2048-d pool3
    ``"features"`` (FID, KID) and, when the classifier layer is present, the 1008 ``"logits"`` without
    bias that the original Inception Score code used.

    Args:
        with_classifier: build the 2048 -> 1008 layer (its weights are not in every published file).
    """

    name = "inception-v3-tf-2015-12-05"
    resize = "bilinear (TF1 grid, no antialias) to 299x299"
    in_channels = 3
    num_features = 2048
    num_classes = 1008

    def __init__(self, with_classifier: bool = True) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.MaxPool_1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.MaxPool_2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE_1(1280)
        self.Mixed_7c = InceptionE_2(2048)
        self.AvgPool = nn.AdaptiveAvgPool2d(output_size=(1, 1))
        self.fc = nn.Linear(self.num_features, self.num_classes) if with_classifier else None
        self.requires_grad_(False).eval()

    @property
    def has_classifier(self) -> bool:
        return self.fc is not None

    def forward(self, images: Tensor) -> dict[str, Tensor]:
        x = (images + 1) * 127.5
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            x = interpolate_bilinear_2d_like_tensorflow1x(
                x, size=(INPUT_SIZE, INPUT_SIZE), align_corners=False
            )
        x = (x - 128) / 128
        features = torch.flatten(self.AvgPool(self.trunk(x)), 1)
        out = {"features": features}
        if self.fc is not None:
            out["logits"] = features @ self.fc.weight.T
        return out

    def trunk(self, x: Tensor) -> Tensor:
        """The convolutional layers: (N, 3, 299, 299) in [-1, 1) -> (N, 2048, 8, 8)."""
        for layer in (
            self.Conv2d_1a_3x3,
            self.Conv2d_2a_3x3,
            self.Conv2d_2b_3x3,
            self.MaxPool_1,
            self.Conv2d_3b_1x1,
            self.Conv2d_4a_3x3,
            self.MaxPool_2,
            self.Mixed_5b,
            self.Mixed_5c,
            self.Mixed_5d,
            self.Mixed_6a,
            self.Mixed_6b,
            self.Mixed_6c,
            self.Mixed_6d,
            self.Mixed_6e,
            self.Mixed_7a,
            self.Mixed_7b,
            self.Mixed_7c,
        ):
            x = layer(x)
        return x


def standard_inception(weights: str | os.PathLike[str] | None = None) -> InceptionV3:
    """ganzoo's default extractor: the 2015-12-05 Inception with its published weights (see ``weights``).

    It has ``"logits"`` (and so can measure IS) only when the weights include the classifier layer.
    """
    state = standard_weights(weights)
    net = InceptionV3(with_classifier="fc.weight" in state)
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(
            f"not the 2015-12-05 Inception's weights: missing {missing}, unexpected {unexpected}"
        )
    return net
