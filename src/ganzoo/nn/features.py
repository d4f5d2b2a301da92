"""The intermediate activations of a sequential network, for losses that compare features."""

from __future__ import annotations

from torch import Tensor, nn


def sequential_features(
    net: nn.Sequential, x: Tensor, after: type[nn.Module] = nn.LeakyReLU, skip: int = 1
) -> tuple[Tensor, list[Tensor]]:
    """``(net(x), features)``: the outputs of every ``after`` layer of ``net`` but the first ``skip``.

    DiscoGAN matches the features of the discriminator's normalised layers, i.e. those after its first
    activation (``skip=1``) in a PatchGAN.
    """
    features: list[Tensor] = []
    seen = 0
    for layer in net:
        x = layer(x)
        if isinstance(layer, after):
            seen += 1
            if seen > skip:
                features.append(x)
    return x, features
