"""The U-Net: shapes, the authors' dropout placement, and skip connections that carry the input's detail."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganzoo.nn.unet import UNetBlock, UNetGenerator, unet_128, unet_256


def test_output_matches_input_size_and_range():
    net = UNetGenerator(in_channels=1, out_channels=3, num_downs=5, ngf=4)
    out = net(torch.randn(2, 1, 32, 32))
    assert out.shape == (2, 3, 32, 32)
    assert out.abs().max() <= 1.0  # tanh


def test_named_constructors_halve_7_and_8_times():
    with torch.device("meta"):
        assert unet_128().num_downs == 7 and unet_256().num_downs == 8


def test_dropout_only_in_the_inner_8ngf_levels_bar_the_innermost():
    # unet_256 with dropout: num_downs - 5 = 3 blocks with nn.Dropout(0.5), as in the authors' code.
    with torch.device("meta"):
        drops = [m for m in unet_256(dropout=True).modules() if isinstance(m, nn.Dropout)]
        assert len(drops) == 3 and all(d.p == 0.5 for d in drops)
        assert not any(isinstance(m, nn.Dropout) for m in unet_256(dropout=False).modules())


def test_input_not_a_multiple_of_the_downsampling_is_refused():
    with pytest.raises(ValueError, match="multiples of 32"):
        UNetGenerator(num_downs=5, ngf=2)(torch.randn(1, 3, 48, 48))


def _jacobian_rank(net: nn.Module) -> int:
    x = torch.randn(1, 1, 32, 32)
    jac = torch.autograd.functional.jacobian(
        lambda v: net(v.view(1, 1, 32, 32)).flatten(), x.flatten(), vectorize=True
    )
    return int(torch.linalg.matrix_rank(jac))


def test_skip_connections_carry_information_the_bottleneck_cannot(monkeypatch):
    """Without skips, the output depends on the input only through the 1x1 bottleneck of 8ngf numbers, so
    the Jacobian d output / d input has rank <= 8ngf. With skips, per-pixel detail bypasses it."""
    torch.manual_seed(0)
    net = UNetGenerator(1, 1, num_downs=5, ngf=2, dropout=False).eval()
    bottleneck = 8 * 2
    with_skips = _jacobian_rank(net)

    def no_skip(self: UNetBlock, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) if self.outermost else torch.cat([torch.zeros_like(x), self.model(x)], 1)

    monkeypatch.setattr(UNetBlock, "forward", no_skip)
    without_skips = _jacobian_rank(net)
    assert without_skips <= bottleneck
    assert with_skips > 10 * bottleneck


def test_high_frequency_input_change_reaches_the_output_through_the_skips(monkeypatch):
    """A checkerboard (the highest spatial frequency) added to the input shows up in the output's own
    highest-frequency band; with the skips cut it is all but lost."""
    torch.manual_seed(0)
    net = UNetGenerator(1, 1, num_downs=5, ngf=2, dropout=False).eval()
    x = torch.randn(1, 1, 32, 32) * 0.1
    checker = ((torch.arange(32)[:, None] + torch.arange(32)) % 2 * 2 - 1).float() * 0.1

    def high_band(img: torch.Tensor) -> torch.Tensor:
        spectrum = torch.fft.fft2(img[0, 0])
        return spectrum[8:25, 8:25].abs().pow(2).sum()  # frequencies near Nyquist in both axes

    def change(model: nn.Module) -> float:
        with torch.no_grad():
            return float(high_band(model(x + checker) - model(x)))

    with_skips = change(net)
    monkeypatch.setattr(
        UNetBlock,
        "forward",
        lambda self, v: (
            self.model(v) if self.outermost else torch.cat([torch.zeros_like(v), self.model(v)], 1)
        ),
    )
    assert with_skips > 10 * change(net)
