"""``ganzoo sample -n N`` lays its grid out to fit N: no empty cells where N factors into a near-square."""

from __future__ import annotations

import pytest
from PIL import Image

from ganzoo import cli
from ganzoo.images import grid_columns
from ganzoo.models import DCGAN


@pytest.mark.parametrize(("n", "columns", "rows"), [(8, 4, 2), (9, 3, 3), (12, 4, 3), (64, 8, 8), (7, 4, 2)])
def test_grid_columns_fit_n(n, columns, rows) -> None:
    assert (grid_columns(n), -(-n // grid_columns(n))) == (columns, rows)


def test_eight_samples_make_a_four_by_two_grid(tmp_path, capsys) -> None:
    folder = DCGAN(image_size=16, channels=1, latent_dim=4, g_width=4, d_width=4).save_pretrained(
        tmp_path / "m"
    )
    out = tmp_path / "grid.png"
    assert cli.main(["sample", str(folder), "-n", "8", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote 8 samples to {out}\n"
    with Image.open(out) as grid:
        assert grid.size == (4 * 16 + 5 * 2, 2 * 16 + 3 * 2)  # 2-pixel padding around every cell
