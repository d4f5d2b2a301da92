"""Class-conditional batch norm (de Vries et al. 2017; Dumoulin et al. 2017), as SNGAN and SAGAN use it.

Batch statistics are shared by all classes; only the affine part depends on the label: a per-class scale
gamma[y] (initialised to 1) and shift beta[y] (initialised to 0), so a fresh layer is plain batch norm.
"""

from __future__ import annotations

from torch import Tensor, nn


class ClassConditionalBatchNorm2d(nn.Module):
    def __init__(self, num_features: int, num_classes: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, eps=eps, momentum=momentum, affine=False)
        self.gamma = nn.Embedding(num_classes, num_features)
        self.beta = nn.Embedding(num_classes, num_features)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return self.gamma(y)[:, :, None, None] * self.bn(x) + self.beta(y)[:, :, None, None]
