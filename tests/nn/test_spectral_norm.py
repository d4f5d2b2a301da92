"""Spectral norm: torch-compatible state, converged sigma, the BigGAN authors' eval-time SN, folding."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.spectral_norm import (
    SNConv2d,
    SNEmbedding,
    SNLinear,
    biggan_pytorch_sn_state,
    fold_spectral_norm,
    has_spectral_norm,
    spectral_norm,
)

LAYERS = {
    "conv": (lambda: SNConv2d(3, 5, 3, padding=1), lambda: nn.Conv2d(3, 5, 3, padding=1), (2, 3, 6, 6)),
    "linear": (lambda: SNLinear(7, 4), lambda: nn.Linear(7, 4), (2, 7)),
    "embedding": (lambda: SNEmbedding(6, 9), lambda: nn.Embedding(6, 9), None),
}


def _input(shape: tuple[int, ...] | None) -> torch.Tensor:
    return torch.tensor([0, 3, 5]) if shape is None else torch.randn(shape)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_state_dict_loads_into_torch_spectral_norm(kind: str) -> None:
    torch.manual_seed(0)
    ours_fn, plain_fn, shape = LAYERS[kind]
    ours = ours_fn()
    x = _input(shape)
    for _ in range(3):  # move u, v away from their initial values
        ours(x)
    reference = torch.nn.utils.spectral_norm(plain_fn())
    reference.load_state_dict(ours.state_dict())
    assert set(ours.state_dict()) == set(reference.state_dict())
    assert {"weight_orig", "weight_u", "weight_v"} <= set(ours.state_dict())
    ours.eval(), reference.eval()
    torch.testing.assert_close(ours(x), reference(x), rtol=0, atol=0)


def _sigma(module: nn.Module) -> torch.Tensor:
    """torch's eval-time estimate u . (W v) from the stored vectors."""
    w = module.weight_orig.reshape(module.weight_orig.shape[0], -1)
    return module.weight_u @ (w @ module.weight_v)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_sigma_converges_to_the_largest_singular_value(kind: str) -> None:
    torch.manual_seed(1)
    ours_fn, _, shape = LAYERS[kind]
    layer = ours_fn()
    x = _input(shape)
    w = layer.weight_orig.detach().reshape(layer.weight_orig.shape[0], -1)
    true_sigma = torch.linalg.matrix_norm(w, 2)
    for _ in range(200):
        layer(x)
    torch.testing.assert_close(_sigma(layer).detach(), true_sigma, rtol=1e-4, atol=0)
    layer.eval()
    layer(x)
    normalized = layer.weight.detach().reshape(w.shape)
    torch.testing.assert_close(torch.linalg.matrix_norm(normalized, 2), torch.tensor(1.0), rtol=1e-4, atol=0)


def _biggan_pytorch_eval_weight(weight: torch.Tensor, u0: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """The BigGAN authors' eval-mode W / sv, re-derived: one power iteration from u0 that is not stored."""
    w_mat = weight.view(weight.size(0), -1)
    v = u0 @ w_mat
    v = v / v.norm().clamp_min(eps)
    u = v @ w_mat.t()
    u = u / u.norm().clamp_min(eps)
    sv = (v @ w_mat.t() @ u.t()).squeeze()
    return weight / sv


@pytest.mark.parametrize("kind", list(LAYERS))
def test_biggan_pytorch_state_reproduces_their_eval_normalization(kind: str) -> None:
    torch.manual_seed(2)
    _, plain_fn, shape = LAYERS[kind]
    plain = plain_fn()
    weight = torch.randn_like(plain.weight)
    u0 = torch.randn(1, weight.shape[0])
    expected = _biggan_pytorch_eval_weight(weight, u0)

    layer = torch.nn.utils.spectral_norm(plain)
    state = {k: v for k, v in layer.state_dict().items() if k == "bias"}
    layer.load_state_dict({**state, **biggan_pytorch_sn_state(weight, u0)})
    layer.eval()
    x = _input(shape)
    out = layer(x)
    torch.testing.assert_close(layer.weight, expected, rtol=0, atol=1e-6)
    reference = {
        "conv": lambda: F.conv2d(x, expected, layer.bias, padding=1),
        "linear": lambda: F.linear(x, expected, layer.bias),
        "embedding": lambda: F.embedding(x, expected),
    }[kind]()
    torch.testing.assert_close(out, reference, rtol=0, atol=1e-6)


def test_biggan_pytorch_state_rejects_a_mismatched_u0() -> None:
    with pytest.raises(ValueError, match=r"u0 has 3 entries .* 5 output rows"):
        biggan_pytorch_sn_state(torch.randn(5, 4), torch.randn(1, 3))


def test_fold_spectral_norm_keeps_outputs_and_removes_every_sn_key() -> None:
    torch.manual_seed(3)
    net = nn.Sequential(
        SNConv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        SelfAttention(16),
        nn.Flatten(),
        spectral_norm(nn.Linear(16 * 4 * 4, 2)),
    )
    with torch.no_grad():
        net[2].gamma.fill_(0.7)  # make the attention branch count
    x = torch.randn(4, 3, 4, 4)
    for _ in range(3):
        net(x)
    net.eval()
    expected = net(x)

    folded = fold_spectral_norm(net)
    assert folded is net
    assert not any(has_spectral_norm(m) for m in net.modules())
    keys = set(net.state_dict())
    assert not any(k.endswith(("_orig", "_u", "_v")) for k in keys)
    assert {"0.weight", "2.theta.weight", "2.o.weight", "4.weight"} <= keys
    assert isinstance(net[0].weight, nn.Parameter)
    torch.testing.assert_close(net(x), expected, rtol=0, atol=1e-6)
    net.train()  # no hook left: training-mode forwards no longer renormalize
    torch.testing.assert_close(net(x), expected, rtol=0, atol=1e-6)
