"""A synthetic dataset, a tiny extractor and a tiny GAN: metrics tests that need no Inception."""

import lightning as L
import torch
from torch import nn

from ganzoo.data.base import GANDataModule, UInt8ImageDataset
from ganzoo.models import DCGAN


class SyntheticImages(GANDataModule):
    """Random 8-bit grayscale images; each split is its own fixed draw."""

    name = "synthetic"
    channels = 1

    def dataset(self, split):
        self.check_split(split)
        g = torch.Generator().manual_seed({"train": 0, "test": 1}[split])
        images = torch.randint(
            0, 256, (64, 1, self.image_size, self.image_size), generator=g, dtype=torch.uint8
        )
        return UInt8ImageDataset(images, torch.zeros(64, dtype=torch.long))


def tiny_extractor():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def tiny_gan():
    torch.manual_seed(0)
    return DCGAN(latent_dim=8, image_size=8, channels=1, g_width=8, d_width=8)


def quiet_trainer(**kwargs):
    defaults = dict(
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    return L.Trainer(**{**defaults, **kwargs})
