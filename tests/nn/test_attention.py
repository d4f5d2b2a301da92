"""SAGAN self-attention in BigGAN's layout."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo.nn.attention import SelfAttention


def test_fresh_block_is_the_identity() -> None:
    torch.manual_seed(0)
    block = SelfAttention(16)
    x = torch.randn(2, 16, 8, 8)
    assert block.gamma.item() == 0.0
    torch.testing.assert_close(block(x), x, rtol=0, atol=0)


def test_shapes_and_attention_weights_are_distributions() -> None:
    torch.manual_seed(1)
    block = SelfAttention(32)
    x = torch.randn(3, 32, 8, 6)
    assert block(x).shape == x.shape
    beta = block.attention_weights(x)
    assert beta.shape == (3, 8 * 6, 8 * 6 // 4)
    assert (beta >= 0).all()
    torch.testing.assert_close(beta.sum(-1), torch.ones(3, 48))


def test_output_matches_the_formula() -> None:
    """o = gamma * W_o(sum_j beta_ij g_j) + x, written position by position with plain weights."""
    torch.manual_seed(2)
    block = SelfAttention(16, sn=False)
    with torch.no_grad():
        block.gamma.fill_(0.5)
    x = torch.randn(2, 16, 4, 4)

    def w(conv: torch.nn.Conv2d) -> torch.Tensor:
        return conv.weight[:, :, 0, 0]

    queries = torch.einsum("qc,nchw->nqhw", w(block.theta), x).flatten(2)  # (N, 2, 16)
    keys = F.max_pool2d(torch.einsum("qc,nchw->nqhw", w(block.phi), x), 2).flatten(2)  # (N, 2, 4)
    values = F.max_pool2d(torch.einsum("vc,nchw->nvhw", w(block.g), x), 2).flatten(2)  # (N, 8, 4)
    expected = torch.empty_like(x).flatten(2)
    for n in range(2):
        for i in range(16):
            logits = torch.stack([queries[n, :, i] @ keys[n, :, j] for j in range(4)])
            attn = torch.exp(logits - logits.max()) / torch.exp(logits - logits.max()).sum()
            attended = (values[n] * attn).sum(1)  # (8,)
            expected[n, :, i] = x.flatten(2)[n, :, i] + 0.5 * (w(block.o) @ attended)
    torch.testing.assert_close(block(x), expected.view_as(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sn", [True, False])
def test_key_layout_matches_biggan_pytorch(sn: bool) -> None:
    block = SelfAttention(64, sn=sn)
    shapes = {k: tuple(v.shape) for k, v in block.state_dict().items()}
    convs = {"theta": (8, 64), "phi": (8, 64), "g": (32, 64), "o": (64, 32)}
    expected: dict[str, tuple[int, ...]] = {"gamma": ()}
    for name, (c_out, c_in) in convs.items():
        if sn:
            expected |= {
                f"{name}.weight_orig": (c_out, c_in, 1, 1),
                f"{name}.weight_u": (c_out,),
                f"{name}.weight_v": (c_in,),
            }
        else:
            expected[f"{name}.weight"] = (c_out, c_in, 1, 1)
    assert shapes == expected


def test_bad_inputs_are_explained() -> None:
    with pytest.raises(ValueError, match="divisible by 8"):
        SelfAttention(12)
    with pytest.raises(ValueError, match="even height and width"):
        SelfAttention(8)(torch.randn(1, 8, 5, 4))
