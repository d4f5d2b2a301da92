"""The VGG19 feature stages of pix2pixHD's and SPADE's perceptual loss (relu1_1, relu2_1, relu3_1, relu4_1,
relu5_1), with ImageNet weights read from the user's torchvision file: ganzoo never downloads them."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

VGG19_FILE = "vgg19-dcbb9e9d.pth"
_STAGES = ((0, 2), (2, 7), (7, 12), (12, 21), (21, 30))


def vgg19_file() -> Path:
    """Where torchvision keeps the ImageNet VGG19 (``$TORCH_HOME/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILE


class VGG19Features(nn.Module):
    """Frozen VGG19 ``features`` cut into the five stages; images go in as they are, in [-1, 1], as the
    authors' ``VGGLoss`` passes them."""

    def __init__(self, weights: str | Path | None = None) -> None:
        super().__init__()
        import torchvision

        path = Path(weights) if weights is not None else vgg19_file()
        if not path.is_file():
            raise FileNotFoundError(
                f"the VGG loss needs torchvision's ImageNet VGG19 weights, {VGG19_FILE}, and {path} does not "
                f"exist. Download https://download.pytorch.org/models/{VGG19_FILE} on a machine with network "
                f"access and put it at {vgg19_file()} ($TORCH_HOME/hub/checkpoints), or pass its path."
            )
        vgg = torchvision.models.vgg19(weights=None)
        vgg.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
        self.stages = nn.ModuleList(nn.Sequential(*vgg.features[a:b]) for a, b in _STAGES)
        self.requires_grad_(False).eval()

    def train(self, mode: bool = True) -> VGG19Features:
        return super().train(False)  # a fixed feature network

    def forward(self, x: Tensor) -> list[Tensor]:
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
