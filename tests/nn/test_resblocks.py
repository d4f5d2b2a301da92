"""The residual blocks of SNGAN / SAGAN / BigGAN and class-conditional batch norm against their formulas."""

from __future__ import annotations

import functools
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.nn.resblocks import DBlock, GBlock, batch_norm, glorot_init_
from ganzoo.nn.spectral_norm import has_spectral_norm, spectral_norm


def test_class_conditional_bn_is_batch_norm_with_a_per_class_affine() -> None:
    torch.manual_seed(0)
    cbn = batch_norm(4, num_classes=3)
    x, y = torch.randn(6, 4, 5, 5), torch.tensor([0, 1, 2, 2, 1, 0])
    torch.testing.assert_close(cbn(x, y), F.batch_norm(x, None, None, training=True))  # fresh: gain 1, bias 0
    with torch.no_grad():
        cbn.gain.weight.normal_()
        cbn.bias.weight.normal_()
    normalized = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
        x.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5
    )
    expected = torch.stack(
        [
            (1 + cbn.gain.weight[c]).view(4, 1, 1) * normalized[i] + cbn.bias.weight[c].view(4, 1, 1)
            for i, c in enumerate(y.tolist())
        ]
    )
    torch.testing.assert_close(cbn(x, y), expected, rtol=1e-5, atol=1e-5)


def up(x: torch.Tensor) -> torch.Tensor:
    return x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)  # nearest-neighbour 2x


@pytest.mark.parametrize("num_classes", [None, 3])
def test_generator_block_formula(num_classes: int | None) -> None:
    torch.manual_seed(1)
    block = GBlock(4, 6, functools.partial(batch_norm, num_classes=num_classes))
    x, y = torch.randn(2, 4, 3, 3), torch.tensor([0, 2])
    bn = (lambda m, h: m(h, y)) if num_classes else (lambda m, h: m(h))
    h = block.conv1(up(F.relu(bn(block.bn1, x))))
    expected = block.conv2(F.relu(bn(block.bn2, h))) + block.conv_sc(up(x))
    out = block(x, y if num_classes else None)
    assert out.shape == (2, 6, 6, 6)
    torch.testing.assert_close(out, expected)


def test_discriminator_blocks_formulas() -> None:
    torch.manual_seed(2)
    x = torch.randn(2, 3, 8, 8)
    first = DBlock(3, 5, preactivation=False, wide=True).eval()  # eval: SN divides by the stored sigma
    expected = F.avg_pool2d(first.conv2(F.relu(first.conv1(x))), 2) + first.conv_sc(F.avg_pool2d(x, 2))
    torch.testing.assert_close(first(x), expected)

    down = DBlock(5, 5, downsample=True).eval()
    h = first(x)
    expected = F.avg_pool2d(down.conv2(F.relu(down.conv1(F.relu(h)))), 2) + F.avg_pool2d(down.conv_sc(h), 2)
    torch.testing.assert_close(down(h), expected)

    same = DBlock(5, 5, downsample=False).eval()
    assert same.conv_sc is None  # identity shortcut when shape is kept
    torch.testing.assert_close(same(h), same.conv2(F.relu(same.conv1(F.relu(h)))) + h)
    assert all(has_spectral_norm(m) for m in (*first.children(), same.conv1, same.conv2))
    assert not any(has_spectral_norm(m) for m in GBlock(4, 4).modules())
    assert all(has_spectral_norm(m) for m in GBlock(4, 4, sn=True).modules() if isinstance(m, nn.Conv2d))


@pytest.mark.parametrize("sn", [False, True])
def test_glorot_init_uses_the_raw_weight_and_the_gain(sn: bool) -> None:
    torch.manual_seed(3)
    layer = nn.Conv2d(64, 64, 3)
    layer = spectral_norm(layer) if sn else layer
    glorot_init_(layer, gain=math.sqrt(2))
    weight = layer.weight_orig if sn else layer.weight
    bound = math.sqrt(2) * math.sqrt(6 / (64 * 9 + 64 * 9))
    assert weight.abs().max() <= bound and weight.abs().max() > 0.95 * bound
    assert torch.count_nonzero(layer.bias) == 0
