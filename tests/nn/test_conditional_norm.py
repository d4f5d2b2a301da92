"""ConditionalBatchNorm2d against its formula: batch-normalize, then gain = 1 + W_g c and bias = W_b c."""

from __future__ import annotations

import pytest
import torch

from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d


def normalized(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Training-mode batch norm written out: per channel, over batch and positions, biased variance."""
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def test_linear_conditioning_matches_the_formula() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(6, 5, sn=False, eps=1e-5)
    x, c = torch.randn(4, 6, 3, 3) * 3 + 1, torch.randn(4, 5)
    gain = 1 + c @ cbn.gain.weight.t()
    bias = c @ cbn.bias.weight.t()
    expected = normalized(x, 1e-5) * gain[:, :, None, None] + bias[:, :, None, None]
    torch.testing.assert_close(cbn(x, c), expected, rtol=1e-5, atol=1e-5)


def test_zero_maps_give_a_plain_batch_norm_and_eval_uses_running_statistics() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(3, 4, sn=False)
    torch.nn.init.zeros_(cbn.gain.weight)
    torch.nn.init.zeros_(cbn.bias.weight)
    x, c = torch.randn(8, 3, 2, 2) * 2 + 5, torch.randn(8, 4)
    torch.testing.assert_close(cbn(x, c), normalized(x, 1e-5), rtol=1e-5, atol=1e-5)
    cbn.eval()
    stats = cbn.bn
    expected = (x - stats.running_mean[:, None, None]) / torch.sqrt(stats.running_var[:, None, None] + 1e-5)
    torch.testing.assert_close(cbn(x, c), expected)
    assert not torch.allclose(cbn(x, c), normalized(x, 1e-5), atol=1e-2)  # running stats moved 10% only


def test_embedding_conditioning_gives_each_class_its_own_gain_and_bias() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, 10, embedding=True)
    x, y = torch.randn(6, 4, 2, 2), torch.tensor([0, 3, 3, 9, 0, 1])
    gain, bias = 1 + cbn.gain.weight[y], cbn.bias.weight[y]
    expected = normalized(x, 1e-5) * gain[:, :, None, None] + bias[:, :, None, None]
    torch.testing.assert_close(cbn(x, y), expected, rtol=1e-5, atol=1e-5)
    assert isinstance(cbn.gain, torch.nn.Embedding) and not hasattr(cbn.gain, "weight_orig")


def test_spectral_norm_on_the_linear_maps_and_gradients_reach_them() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, 7, sn=True, sn_eps=1e-6)
    assert {"gain.weight_orig", "gain.weight_u", "gain.weight_v", "bias.weight_orig"} <= set(cbn.state_dict())
    assert "bn.weight" not in cbn.state_dict()  # no affine of its own
    with torch.no_grad():
        cbn.gain.weight_orig.mul_(10.0)
    x, c = torch.randn(5, 4, 3, 3), torch.randn(5, 7)
    for _ in range(20):  # one power iteration per training forward
        out = cbn(x, c)
    (out * torch.randn_like(out)).sum().backward()
    assert cbn.gain.weight_orig.grad.abs().sum() > 0 and cbn.bias.weight_orig.grad.abs().sum() > 0
    assert torch.linalg.matrix_norm(cbn.gain.weight_orig.detach(), ord=2) > 3.0
    torch.testing.assert_close(
        torch.linalg.matrix_norm(cbn.gain.weight.detach(), ord=2), torch.tensor(1.0), rtol=1e-3, atol=1e-3
    )


@pytest.mark.parametrize("embedding", [False, True])
def test_condition_changes_the_output(embedding: bool) -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(3, 5, embedding=embedding)
    x = torch.randn(2, 3, 2, 2)
    a = torch.tensor([0, 1]) if embedding else torch.randn(2, 5)
    b = torch.tensor([2, 4]) if embedding else torch.randn(2, 5)
    assert not torch.allclose(cbn(x, a), cbn(x, b))
