"""The ResNet generator: size-preserving, reflection-padded, residual, norm as configured."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganzoo.nn.resnet_generator import ResnetBlock, ResnetGenerator


def test_output_has_the_input_size_and_tanh_range():
    out = ResnetGenerator(3, 1, ngf=4, n_blocks=2)(torch.randn(2, 3, 24, 20))
    assert out.shape == (2, 1, 24, 20) and out.abs().max() <= 1.0


def test_blocks_reflection_padding_and_instance_norm_of_the_authors_layout():
    net = ResnetGenerator(ngf=4, n_blocks=6)
    assert sum(isinstance(m, ResnetBlock) for m in net.modules()) == 6
    assert not any(isinstance(m, nn.ZeroPad2d) for m in net.modules())
    assert all(c.padding == (0, 0) for c in net.modules() if type(c) is nn.Conv2d and c.kernel_size != (3, 3))
    norms = [m for m in net.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert norms and all(not n.affine and not n.track_running_stats for n in norms)


def test_residual_block_is_identity_plus_its_branch():
    block = ResnetBlock(4)
    x = torch.randn(1, 4, 8, 8)
    assert torch.allclose(block(x), x + block.conv_block(x))


def test_dropout_sits_between_the_two_convolutions_of_a_block():
    layers = list(ResnetBlock(4, dropout=True).conv_block)
    assert isinstance(layers[4], nn.Dropout) and isinstance(layers[6], nn.Conv2d)


def test_size_must_be_a_multiple_of_4():
    with pytest.raises(ValueError, match="multiples of 4"):
        ResnetGenerator(ngf=2, n_blocks=1)(torch.randn(1, 3, 30, 30))
