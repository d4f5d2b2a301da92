"""The projection discriminator head (Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018).

D(x, y) = psi(phi(x)) + <embed(y), phi(x)>: instead of concatenating the label to the input, the class
embedding is dotted with the pooled features phi(x), which is what the log-density-ratio of a class-
conditional model looks like under a log-linear assumption. ``num_classes=None`` leaves only psi: the
unconditional head, so one discriminator body serves both settings.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.nn.spectral_norm import maybe_spectral_norm


class Projection(nn.Module):
    """Maps pooled features ``h`` (N, num_features) and labels ``y`` (N,) to one score per sample (N,).

    Submodules ``linear`` (psi) and ``embed`` (V) carry BigGAN-PyTorch's discriminator names; the SNGAN
    authors' psi has no bias (``bias=False``).
    """

    def __init__(
        self,
        num_features: int,
        num_classes: int | None,
        sn: bool = True,
        bias: bool = True,
        eps: float = 1e-12,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.linear = maybe_spectral_norm(nn.Linear(num_features, 1, bias=bias), sn, eps)
        self.embed = (
            None
            if num_classes is None
            else maybe_spectral_norm(nn.Embedding(num_classes, num_features), sn, eps)
        )

    def forward(self, h: Tensor, y: Tensor | None = None) -> Tensor:
        out = self.linear(h).squeeze(1)
        if self.embed is None:
            if y is not None:
                raise ValueError("this head is unconditional (num_classes=None) but got labels y")
            return out
        if y is None:
            raise ValueError(f"this head projects onto {self.num_classes} classes; pass labels y")
        return out + (self.embed(y) * h).sum(dim=1)
