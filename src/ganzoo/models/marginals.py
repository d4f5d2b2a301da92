"""G's sigmoid output bias set from the training data, as the GAN authors' released code does it.

pylearn2's ``init_sigmoid_bias_from_marginals`` (``adversarial/mnist.yaml``: the generator's output layer
gets ``init_bias: !obj:pylearn2.models.dbm.init_sigmoid_bias_from_marginals {dataset: *train}``): the bias
of each output pixel is the logit of that pixel's mean over the training images, so G starts at the mean
digit and the border pixels, black in every digit, start saturated.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.nn.mlp import sigmoid_bias_from_marginals, unit_range_pixels


def mean_pixels(loader) -> Tensor:
    """Each pixel's mean over a loader of images in [-1, 1] (or ``(images, labels)`` batches), in [0, 1]."""
    total, count = None, 0
    for batch in loader:
        images = batch if isinstance(batch, Tensor) else batch[0]
        x = unit_range_pixels(images.double()).flatten(1)
        total = x.sum(dim=0) if total is None else total + x.sum(dim=0)
        count += x.shape[0]
    if total is None:
        raise ValueError("the training loader is empty: no marginals to set G's output bias from")
    return total / count


class OutputBiasFromMarginals:
    """Mixin for a ``GANModule`` with hyperparameter ``output_bias_from_data`` and a method
    ``output_layer()``: when fit starts on a model that has taken no G step (not on resume), sets that
    layer's bias to ``sigmoid_bias_from_marginals`` of the datamodule's training images."""

    def output_layer(self) -> nn.Linear:
        raise NotImplementedError

    def on_fit_start(self) -> None:
        super().on_fit_start()
        if not self.hparams.get("output_bias_from_data") or int(self.num_g_steps) > 0:
            return
        datamodule = self.trainer.datamodule
        if datamodule is None:
            raise RuntimeError("output_bias_from_data needs a datamodule to read the training images from")
        bias = sigmoid_bias_from_marginals(mean_pixels(datamodule.train_dataloader())[None])
        with torch.no_grad():
            self.output_layer().bias.copy_(bias.to(self.output_layer().bias))
