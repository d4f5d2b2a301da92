"""SampleGrid for image-to-image models: rows of input | output | target from the first training pairs."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from ganzoo.callbacks import SampleGrid
from ganzoo.models import Pix2Pix

from ..models.helpers import quiet_trainer
from ..models.translation_data import loader


def test_grid_shows_input_output_and_target_of_the_first_pairs(tmp_path):
    torch.manual_seed(0)
    model = Pix2Pix(net_g="unet_32", ngf=4, ndf=4, image_size=32)
    grid = SampleGrid(num_samples=4)
    data = loader(n=6, batch_size=3)  # the 4 pairs span two batches
    quiet_trainer(max_epochs=1, callbacks=[grid], default_root_dir=tmp_path).fit(model, data)
    image = np.asarray(Image.open(grid.last_path))
    assert image.shape == (4 * 32 + 5 * 2, 3 * 32 + 4 * 2, 3)  # 4 rows of 3, 2-pixel padding
    first = data.dataset[0]
    fourth = data.dataset[3]

    def cell(row: int, col: int) -> np.ndarray:
        top, left = 2 + row * 34, 2 + col * 34
        return image[top : top + 32, left : left + 32].astype(float)

    def as_pixels(x: torch.Tensor) -> np.ndarray:
        return ((x.permute(1, 2, 0).numpy() + 1) / 2 * 255).astype(float)

    assert np.abs(cell(0, 0) - as_pixels(first["A"])).max() <= 1
    assert np.abs(cell(0, 2) - as_pixels(first["B"])).max() <= 1
    assert np.abs(cell(3, 0) - as_pixels(fourth["A"])).max() <= 1
    assert np.abs(cell(0, 1) - cell(0, 0)).mean() > 1  # the middle column is the model's output
