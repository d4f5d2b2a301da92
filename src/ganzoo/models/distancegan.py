"""DistanceGAN: Benaim & Wolf, "One-Sided Unsupervised Domain Mapping", NIPS 2017.

A map G: A -> B should keep the distances between images: if two horses are far apart, so are their zebras.
The distance loss compares, for every pair i < j of a batch, the standardised distances before and after
the map, |(d(x_i, x_j) - mu_A) / sigma_A - (d(G x_i, G x_j) - mu_B) / sigma_B|, with d the mean absolute
difference and (mu, sigma) each domain's distance statistics, estimated once from its training images. The
self-distance variant compares the top and bottom halves of each image instead, so it works on one image
at a time. The loss replaces CycleGAN's cycle loss, which makes one-sided training (``sides="AtoB"``)
possible, or joins it (``use_cycle_loss=True``).

Defaults are the authors' (``sagiebenaim/DistanceGAN``, ``cyclegan_based_models/``, built on CycleGAN's
code): CycleGAN's networks, LSGAN loss and image pool, lambda_distance 1 for each side, statistics over the
first 900 training images, no identity loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ganzoo import losses
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.registry import PAPERS

Sides = Literal["both", "AtoB", "BtoA"]
_OTHER = {"A": "B", "B": "A"}


@PAPERS.register
class DistanceGAN(CycleGAN):
    """Args:
    lambda_distance_a, lambda_distance_b: weights of the distance loss of G: A -> B and of G: B -> A.
    sides: train both maps, or only ``"AtoB"`` / ``"BtoA"`` (the authors' ``--A_to_B`` / ``--B_to_A``).
    use_cycle_loss: add CycleGAN's cycle loss (weights ``lambda_a`` / ``lambda_b``).
    self_distance: compare the halves of each image rather than pairs of images (batches of one work).
    normalize_distances: standardise distances by each domain's statistics (not: the authors'
        ``--unnormalized_distances``).
    max_items: how many training images of each domain the statistics are estimated from.
    The rest are ``CycleGAN``'s (networks, ``pool_size``, ``lambda_identity`` ...).
    """

    def __init__(
        self,
        lambda_distance_a: float = 1.0,
        lambda_distance_b: float = 1.0,
        sides: Sides = "both",
        use_cycle_loss: bool = False,
        self_distance: bool = False,
        normalize_distances: bool = True,
        max_items: int = 900,
        lambda_identity: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if sides not in ("both", "AtoB", "BtoA"):
            raise ValueError(f"sides must be 'both', 'AtoB' or 'BtoA', got {sides!r}")
        if use_cycle_loss and sides != "both":
            raise ValueError("the cycle loss needs both maps: use sides='both' with use_cycle_loss=True")
        if max_items < 2:
            raise ValueError(f"max_items must be >= 2 to estimate distance statistics, got {max_items}")
        super().__init__(lambda_identity=lambda_identity, **kwargs)
        self.lambda_distance = {"A": lambda_distance_a, "B": lambda_distance_b}
        self.sides, self.use_cycle_loss, self.self_distance = sides, use_cycle_loss, self_distance
        self.normalize_distances, self.max_items = normalize_distances, max_items
        # (mu_A, sigma_A, mu_B, sigma_B); a buffer, so a checkpoint keeps the statistics it was trained with.
        self.register_buffer("distance_stats", torch.full((4,), math.nan))

    # --- distances --------------------------------------------------------------------------------

    def distances(self, images: Tensor) -> Tensor:
        """The distances the loss compares: of every pair of the batch, or of each image's two halves."""
        if self.self_distance:
            return losses.half_distances(images)
        if len(images) < 2:
            raise ValueError(
                "DistanceGAN's pairwise distance loss needs batches of at least 2 images; raise the data's "
                "batch_size or pass self_distance=True"
            )
        return losses.pairwise_distances(images)

    def estimate_distance_statistics(self, images_a: Sequence[Tensor], images_b: Sequence[Tensor]) -> None:
        """Set (mu, sigma) of each domain's distances from its images (population std, as the authors)."""
        stats = []
        for images in (images_a, images_b):
            batch = torch.stack(list(images)).to(self.device)
            d = losses.half_distances(batch) if self.self_distance else _all_pair_distances(batch)
            stats += [d.mean(), d.std(correction=0)]
        self.distance_stats.copy_(torch.stack(stats))

    def domain_stats(self, domain: str) -> tuple[float, float]:
        if not self.normalize_distances:
            return 0.0, 1.0
        if torch.isnan(self.distance_stats).any():
            raise RuntimeError(
                "DistanceGAN's distance statistics are not set: train with a DataModule that gives each "
                "side's images (`unpaired`), or call estimate_distance_statistics(images_a, images_b) first"
            )
        mu, sigma = self.distance_stats.view(2, 2)[0 if domain == "A" else 1].tolist()
        return mu, sigma

    def on_fit_start(self) -> None:
        super().on_fit_start()
        if not self.normalize_distances or not torch.isnan(self.distance_stats).any():
            return
        datamodule = getattr(self.trainer, "datamodule", None)
        if datamodule is None or not hasattr(datamodule, "side"):
            return  # domain_stats says what to do at the first step
        sides = [datamodule.side("train", k) for k in "AB"]
        self.estimate_distance_statistics(*(_first_images(d, self.max_items) for d in sides))

    # --- objectives -------------------------------------------------------------------------------

    def trained_domains(self) -> str:
        """The domains whose D (and map into them) are trained: ``"AB"``, or ``"B"`` / ``"A"``."""
        return {"both": "AB", "AtoB": "B", "BtoA": "A"}[self.sides]

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        out = super().d_loss(batch)
        terms = {k: out[f"d_{k.lower()}"] for k in self.trained_domains()}
        return {"loss": sum(terms.values()), **{f"d_{k.lower()}": v for k, v in terms.items()}}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        real, fake = self.reals(batch), self.fakes(batch)
        out: dict[str, Tensor] = {}
        for target in self.trained_domains():  # the map from `source` into `target`
            source = _OTHER[target]
            out[f"g_gan_{target.lower()}"] = self.loss_g(self.discriminator[target](fake[target]))
            out[f"distance_{source.lower()}"] = self.lambda_distance[source] * losses.distance_preservation(
                self.distances(real[source]),
                self.distances(fake[target]),
                self.domain_stats(source),
                self.domain_stats(target),
            )
        if self.use_cycle_loss:
            out.update(self.cycle_losses(real, fake))
        out.update(self.identity_losses(real))
        return {"loss": sum(out.values()), **out}


def _first_images(dataset: Dataset, n: int) -> list[Tensor]:
    return [dataset[i][0] for i in range(min(n, len(dataset)))]


def _all_pair_distances(images: Tensor) -> Tensor:
    """``pairwise_distances`` of many images, one row at a time so memory stays at one image batch."""
    flat = images.flatten(1)
    rows = [(flat[i + 1 :] - flat[i]).abs().mean(1) for i in range(len(flat) - 1)]
    return torch.cat(rows)
