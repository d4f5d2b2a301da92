"""The projection discriminator head against its formula."""

from __future__ import annotations

import pytest
import torch

from ganzoo.nn.projection import Projection


@pytest.mark.parametrize("sn", [False, True])
def test_matches_the_formula(sn: bool) -> None:
    """D = psi(h) + <V[y], h> with psi(h) = w . h + b (normalized weights when sn)."""
    torch.manual_seed(0)
    head = Projection(6, num_classes=4, sn=sn).eval()
    h, y = torch.randn(5, 6), torch.tensor([0, 3, 1, 3, 2])
    out = head(h, y)
    w, table = head.linear.weight[0], head.embed.weight  # set by the SN hooks during the forward
    expected = torch.stack(
        [h[i] @ w + head.linear.bias[0] + sum(table[y[i], k] * h[i, k] for k in range(6)) for i in range(5)]
    )
    assert out.shape == (5,)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
    if sn:
        assert {"linear.weight_orig", "embed.weight_orig", "embed.weight_u"} <= set(head.state_dict())


def test_label_changes_only_the_projection_term() -> None:
    torch.manual_seed(1)
    head = Projection(3, num_classes=2, sn=False)
    h = torch.randn(1, 3)
    diff = head(h, torch.tensor([1])) - head(h, torch.tensor([0]))
    torch.testing.assert_close(diff, (head.embed.weight[1] - head.embed.weight[0]) @ h[0:1].T)


def test_unconditional_head_is_the_linear_map() -> None:
    torch.manual_seed(2)
    head = Projection(6, num_classes=None, sn=False)
    h = torch.randn(4, 6)
    assert head.embed is None
    assert set(head.state_dict()) == {"linear.weight", "linear.bias"}
    torch.testing.assert_close(head(h), h @ head.linear.weight[0] + head.linear.bias[0])
    with pytest.raises(ValueError, match="unconditional"):
        head(h, torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="pass labels"):
        Projection(6, num_classes=3)(h)
