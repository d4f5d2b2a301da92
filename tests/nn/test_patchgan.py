"""PatchGAN: a 30x30 map of 70x70-patch scores for a 256x256 image; PixelGAN: one score per pixel."""

from __future__ import annotations

import pytest
import torch

from ganzoo.nn.patchgan import PatchDiscriminator, PixelDiscriminator


def _receptive_field(net: torch.nn.Module, size: int, channels: int = 3) -> tuple[int, int]:
    """Height and width of the input region that influences the central output score."""
    x = torch.randn(1, channels, size, size, requires_grad=True)
    out = net(x)
    h, w = out.shape[-2:]
    out[0, 0, h // 2, w // 2].backward()
    rows, cols = x.grad[0].abs().sum(0).nonzero(as_tuple=True)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def test_70x70_patchgan_on_256x256_gives_30x30_scores():
    torch.manual_seed(0)
    net = PatchDiscriminator(6, ndf=4, n_layers=3).eval()  # eval: batch norm must not mix pixels
    assert net(torch.randn(2, 6, 256, 256)).shape == (2, 1, 30, 30)
    assert _receptive_field(net, 256, 6) == (70, 70)


@pytest.mark.parametrize(("n_layers", "field"), [(1, 16), (2, 34), (4, 142)])
def test_other_depths_have_the_papers_patch_sizes(n_layers, field):
    torch.manual_seed(0)
    net = PatchDiscriminator(3, ndf=2, n_layers=n_layers).eval()
    assert _receptive_field(net, 256) == (field, field)


def test_bias_only_with_instance_norm_as_in_the_authors_code():
    batch = PatchDiscriminator(3, ndf=2, norm="batch")
    instance = PatchDiscriminator(3, ndf=2, norm="instance")
    assert batch.model[2].bias is None and instance.model[2].bias is not None
    assert batch.model[0].bias is not None  # the first conv has no norm after it


def test_pixelgan_scores_each_pixel_alone():
    torch.manual_seed(0)
    net = PixelDiscriminator(3, ndf=4).eval()
    assert net(torch.randn(1, 3, 16, 16)).shape == (1, 1, 16, 16)
    assert _receptive_field(net, 16) == (1, 1)
