"""Class-conditional batch norm (de Vries et al. 2017; Dumoulin et al. 2017), in BigGAN's form.

The features are batch-normalized without an affine transform of their own; the gain and bias come from
the condition instead: ``gain = 1 + W_g c``, ``bias = W_b c``. The ``1 +`` makes a freshly initialised layer
(small W_g) a plain batch norm. BigGAN's ``c`` is the shared class embedding concatenated with a chunk of z,
mapped by spectrally-normalized linear layers without bias; with ``embedding=True`` the condition is the
class index itself and W_g, W_b are per-class tables (SNGAN / BigGAN without a shared embedding).
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.nn.spectral_norm import maybe_spectral_norm


class ConditionalBatchNorm2d(nn.Module):
    """Args:
    num_features: channels C of the input (N, C, H, W).
    cond_dim: size of the conditioning vector, or the number of classes when ``embedding``.
    embedding: condition on integer labels through (unnormalized) embedding tables.
    sn: spectral norm on the two linear maps (ignored with ``embedding``, as in BigGAN-PyTorch).
    eps, momentum: the batch norm's.
    sn_eps: spectral norm's epsilon.
    """

    def __init__(
        self,
        num_features: int,
        cond_dim: int,
        *,
        embedding: bool = False,
        sn: bool = True,
        eps: float = 1e-5,
        momentum: float = 0.1,
        sn_eps: float = 1e-12,
    ) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, eps=eps, momentum=momentum, affine=False)
        self.embedding = embedding
        if embedding:
            self.gain = nn.Embedding(cond_dim, num_features)
            self.bias = nn.Embedding(cond_dim, num_features)
        else:
            self.gain = maybe_spectral_norm(nn.Linear(cond_dim, num_features, bias=False), sn, sn_eps)
            self.bias = maybe_spectral_norm(nn.Linear(cond_dim, num_features, bias=False), sn, sn_eps)

    def forward(self, x: Tensor, c: Tensor) -> Tensor:
        gain = 1.0 + self.gain(c)
        bias = self.bias(c)
        return self.bn(x) * gain[:, :, None, None] + bias[:, :, None, None]
