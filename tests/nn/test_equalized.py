import math

import pytest
import torch
import torch.nn.functional as F

from ganzoo.nn.equalized import (
    EqualizedConv2d,
    EqualizedLinear,
    MinibatchStdLayer,
    bias_act,
    minibatch_stddev,
    pixel_norm,
)


def test_linear_scales_weight_and_bias_at_run_time() -> None:
    torch.manual_seed(0)
    layer = EqualizedLinear(16, 8, lr_multiplier=0.01, bias_init=0.5)
    x = torch.randn(5, 16)
    expected = x @ (layer.weight * 0.01 / 4.0).t() + layer.bias * 0.01
    torch.testing.assert_close(layer(x), expected)
    # The effective parameters start as N(0, 1/fan_in) weights and the requested bias, whatever lr_multiplier.
    torch.testing.assert_close(layer.bias * layer.bias_gain, torch.full((8,), 0.5))
    big = EqualizedLinear(400, 400, lr_multiplier=0.01)
    assert (big.weight * big.weight_gain).std().item() == pytest.approx(1 / 20, rel=0.02)


def test_lr_multiplier_slows_the_effective_weights_down() -> None:
    torch.manual_seed(0)
    moves = {}
    for lr_mult in (1.0, 0.1):
        layer = EqualizedLinear(4, 4, lr_multiplier=lr_mult)
        before = layer.weight.detach() * layer.weight_gain
        layer(torch.ones(1, 4)).sum().backward()
        with torch.no_grad():
            layer.weight -= 0.1 * layer.weight.grad
        moves[lr_mult] = (layer.weight.detach() * layer.weight_gain - before).abs().max().item()
    # Under SGD the effective weight moves with lr_multiplier squared (in the forward and the gradient).
    assert moves[0.1] == pytest.approx(moves[1.0] * 0.01, rel=1e-3)


def test_linear_activation_applies_its_gain_after_the_bias() -> None:
    layer = EqualizedLinear(3, 2, activation="lrelu", bias_init=-1.0)
    x = torch.randn(4, 3)
    pre = x @ (layer.weight / math.sqrt(3)).t() + layer.bias
    torch.testing.assert_close(layer(x), F.leaky_relu(pre, 0.2) * math.sqrt(2))


def test_conv_scales_by_fan_in_and_clamps_with_the_gain() -> None:
    torch.manual_seed(0)
    conv = EqualizedConv2d(6, 4, 3, activation="lrelu", conv_clamp=0.3)
    with torch.no_grad():
        conv.bias.normal_()
    x = torch.randn(2, 6, 5, 5)
    ref = F.conv2d(x, conv.weight / math.sqrt(6 * 9), conv.bias, padding=1)
    ref = F.leaky_relu(ref, 0.2) * math.sqrt(2) * 0.5
    torch.testing.assert_close(conv(x, gain=0.5), ref.clamp(-0.15, 0.15))
    assert conv(x).abs().max().item() == pytest.approx(0.3)


def test_bias_act_broadcasts_along_dim_and_refuses_unknown_activations() -> None:
    x, b = torch.randn(2, 3, 4), torch.randn(3)
    torch.testing.assert_close(bias_act(x, b, activation="relu"), F.relu(x + b[None, :, None]) * math.sqrt(2))
    with pytest.raises(ValueError, match="'swish'"):
        bias_act(x, b, activation="swish")


@pytest.mark.parametrize("b", [None, torch.randn(3)])
def test_bias_act_without_autograd_gives_the_same_values_and_leaves_its_input(b: torch.Tensor | None) -> None:
    x = torch.randn(2, 3, 4)
    kept = x.clone()
    for activation in ("linear", "lrelu"):
        with torch.enable_grad():
            expected = bias_act(x, b, activation=activation, gain=0.7, clamp=0.5)
        with torch.no_grad():
            got = bias_act(x, b, activation=activation, gain=0.7, clamp=0.5)
        torch.testing.assert_close(got, expected)
        assert torch.equal(x, kept)


def test_pixel_norm_gives_unit_mean_square_per_pixel() -> None:
    x = torch.randn(3, 8, 4, 4) * 5
    y = pixel_norm(x)
    torch.testing.assert_close(y.square().mean(dim=1), torch.ones(3, 4, 4), atol=1e-5, rtol=0)
    torch.testing.assert_close(y, x / x.square().mean(1, keepdim=True).sqrt(), atol=1e-5, rtol=1e-5)


def _stddev_by_loops(x: torch.Tensor, group_size: int, num_channels: int) -> torch.Tensor:
    n, c, h, w = x.shape
    groups = n // group_size
    out = torch.empty(n, num_channels, h, w)
    for j in range(groups):
        members = [i for i in range(n) if i % groups == j]
        for f in range(num_channels):
            chunk = x[members][:, f * c // num_channels : (f + 1) * c // num_channels]
            std = (chunk.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
            out[members, f] = std
    return torch.cat([x, out], dim=1)


@pytest.mark.parametrize(("n", "group_size", "num_channels"), [(8, 4, 1), (8, 2, 2), (3, 4, 1), (6, None, 3)])
def test_minibatch_stddev_matches_its_definition(n, group_size, num_channels) -> None:
    torch.manual_seed(n)
    x = torch.randn(n, 6, 3, 3)
    g = n if group_size is None else min(group_size, n)
    torch.testing.assert_close(
        MinibatchStdLayer(group_size, num_channels)(x), _stddev_by_loops(x, g, num_channels)
    )


def test_minibatch_stddev_names_the_bad_shape() -> None:
    with pytest.raises(ValueError, match=r"batch size 6 .* group size 4"):
        minibatch_stddev(torch.randn(6, 2, 2, 2), group_size=4)
    with pytest.raises(ValueError, match="5 channels"):
        minibatch_stddev(torch.randn(4, 5, 2, 2), num_channels=2)
