"""Inception Score, streamed: per split only the summed class probabilities and entropies are kept."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torchmetrics import Metric


class InceptionScore(Metric):
    """IS (Salimans et al. 2016): ``exp(E_x KL(p(y|x) || p(y)))``, mean and std over ``splits`` groups.

    Because ``E_x KL(p(y|x) || p(y)) = H(p(y)) - E_x H(p(y|x))`` with ``p(y)`` the split's mean prediction,
    each split needs only the sum of its predictions and of their entropies: memory does not grow with the
    number of samples. Samples go to splits round-robin in the order they arrive (sample i to split
    i mod splits), a fixed assignment, where torchmetrics shuffles with the global RNG. The std is over
    splits, without Bessel's correction, as in the original code.

    Args:
        splits: number of disjoint groups (10 in the standard protocol).
    """

    higher_is_better = True
    full_state_update = False

    def __init__(self, splits: int = 10, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if splits < 1:
            raise ValueError(f"splits must be >= 1, got {splits}")
        self.splits = splits
        self.add_state("prob_sum", torch.zeros(splits, 0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("entropy_sum", torch.zeros(splits, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", torch.zeros(splits, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, logits: Tensor) -> None:
        log_p = torch.log_softmax(logits.detach().to(torch.float64), dim=1)
        p = log_p.exp()
        if self.prob_sum.shape[1] == 0:
            self.prob_sum = p.new_zeros(self.splits, p.shape[1])
        split = (int(self.count.sum()) + torch.arange(p.shape[0], device=p.device)) % self.splits
        self.prob_sum.index_add_(0, split, p)
        self.entropy_sum.index_add_(0, split, -(p * log_p).sum(1))
        self.count.index_add_(0, split, torch.ones_like(split))

    def compute(self) -> tuple[Tensor, Tensor]:
        if int(self.count.min()) < 1:
            raise ValueError(
                f"IS with {self.splits} splits needs at least {self.splits} samples, "
                f"got {int(self.count.sum())}"
            )
        n = self.count.to(torch.float64)
        mean_p = self.prob_sum / n[:, None]
        marginal_entropy = -torch.special.xlogy(mean_p, mean_p).sum(1)
        scores = torch.exp(marginal_entropy - self.entropy_sum / n)
        return scores.mean(), scores.std(unbiased=False)
