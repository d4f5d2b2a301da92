"""The 50-image history pool: fills up first, then returns a stored image half of the time."""

from __future__ import annotations

import pytest
import torch

from ganzoo.nn.image_pool import ImagePool


def _images(start: int, n: int) -> torch.Tensor:
    """Images whose every pixel holds their index, so a returned image says which one it is."""
    return torch.arange(start, start + n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 1, 2, 2).clone()


def test_returns_every_image_until_full_and_never_holds_more_than_its_size():
    pool = ImagePool(50)
    for start in range(0, 50, 10):
        batch = _images(start, 10)
        assert torch.equal(pool.query(batch), batch)
    assert len(pool) == 50
    pool.query(_images(50, 30))
    assert len(pool) == 50


def test_when_full_half_the_returned_images_are_swapped_for_stored_ones():
    torch.manual_seed(0)
    pool = ImagePool(50)
    pool.query(_images(0, 50))
    n = 4000
    out = torch.cat([pool.query(_images(1000 + i * 4, 4)) for i in range(n // 4)])
    ids = out[:, 0, 0, 0]
    from_history = ids != torch.arange(1000, 1000 + n, dtype=torch.float32)
    # Binomial(4000, 0.5): std 32, so +-150 is > 4.5 sigma.
    assert abs(int(from_history.sum()) - n // 2) < 150
    # A stored image is returned once and replaced by the new one: no returned id is ever from the future.
    positions = torch.arange(1000, 1000 + n, dtype=torch.float32)
    assert bool((ids <= positions).all())
    # What remains in the pool is exactly the 50 images not yet handed out.
    held = sorted(int(img[0, 0, 0]) for img in pool.images)
    returned = set(int(i) for i in ids)
    assert len(held) == 50 and not returned & set(held)


def test_returned_images_are_detached_and_size_zero_disables_the_pool():
    fake = torch.randn(3, 1, 2, 2, requires_grad=True)
    assert not ImagePool(5).query(fake).requires_grad
    out = ImagePool(0).query(fake)
    assert torch.equal(out, fake) and len(ImagePool(0)) == 0


def test_negative_size_is_refused():
    with pytest.raises(ValueError, match=">= 0"):
        ImagePool(-1)
