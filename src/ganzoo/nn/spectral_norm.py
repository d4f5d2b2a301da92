"""Spectral normalization (Miyato et al. 2018): W / sigma(W), sigma estimated by power iteration.

We use torch's hook-based ``torch.nn.utils.spectral_norm`` unchanged, so our state dicts (``weight_orig``,
``weight_u``, ``weight_v``) are torch's and load into any model built with it. In eval mode torch computes
sigma = u . (W v) from the stored vectors without iterating, which makes a network's output a pure function
of its state dict; ``biggan_pytorch_sn_state`` exploits that to reproduce the BigGAN authors' eval-time
normalization exactly, and ``fold_spectral_norm`` bakes sigma into plain weights for fast inference.
"""

from __future__ import annotations

from typing import Any, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.spectral_norm import SpectralNorm

__all__ = [
    "SNConv2d",
    "SNEmbedding",
    "SNLinear",
    "biggan_pytorch_sn_state",
    "fold_spectral_norm",
    "has_spectral_norm",
    "maybe_spectral_norm",
    "refresh_spectral_norm_",
    "spectral_norm",
]

M = TypeVar("M", bound=nn.Module)


def spectral_norm(module: M, n_power_iterations: int = 1, eps: float = 1e-12, name: str = "weight") -> M:
    """Normalize ``module.<name>`` by its largest singular value; one power iteration per training forward."""
    return torch.nn.utils.spectral_norm(module, name=name, n_power_iterations=n_power_iterations, eps=eps)


def maybe_spectral_norm(module: M, enabled: bool, eps: float = 1e-12) -> M:
    """``spectral_norm(module)`` if ``enabled``, else ``module`` as is: for blocks with an ``sn`` flag."""
    return spectral_norm(module, eps=eps) if enabled else module


def SNConv2d(*args: Any, n_power_iterations: int = 1, eps: float = 1e-12, **kwargs: Any) -> nn.Conv2d:
    """An ``nn.Conv2d`` with spectral norm; takes ``nn.Conv2d``'s arguments."""
    return spectral_norm(nn.Conv2d(*args, **kwargs), n_power_iterations, eps)


def SNLinear(*args: Any, n_power_iterations: int = 1, eps: float = 1e-12, **kwargs: Any) -> nn.Linear:
    """An ``nn.Linear`` with spectral norm; takes ``nn.Linear``'s arguments."""
    return spectral_norm(nn.Linear(*args, **kwargs), n_power_iterations, eps)


def SNEmbedding(*args: Any, n_power_iterations: int = 1, eps: float = 1e-12, **kwargs: Any) -> nn.Embedding:
    """An ``nn.Embedding`` with spectral norm over its (num_embeddings, dim) table (the projection D's)."""
    return spectral_norm(nn.Embedding(*args, **kwargs), n_power_iterations, eps)


def _spectral_norms(module: nn.Module) -> list[SpectralNorm]:
    return [h for h in module._forward_pre_hooks.values() if isinstance(h, SpectralNorm)]


def has_spectral_norm(module: nn.Module) -> bool:
    """Whether ``module`` itself (not its children) carries a spectral-norm hook."""
    return bool(_spectral_norms(module))


@torch.no_grad()
def biggan_pytorch_sn_state(weight: Tensor, u0: Tensor, eps: float = 1e-12) -> dict[str, Tensor]:
    """The BigGAN authors' SN state (raw ``weight`` + first power-iteration vector ``u0``) as torch's keys.

    Their eval forward runs one power iteration that it does not store: v = normalize(u0 W),
    u = normalize(v W^T), sigma = v W^T u^T, with W = weight reshaped to (out, -1). Torch's eval forward
    computes sigma = u . (W v) from ``weight_u`` / ``weight_v``, so storing that u and v gives the same sigma,
    and hence the same normalized weight. Returns ``{"weight_orig", "weight_u", "weight_v"}``.
    """
    out_features = weight.shape[0]
    if u0.numel() != out_features:
        raise ValueError(
            f"u0 has {u0.numel()} entries but the weight has {out_features} output rows (shape "
            f"{tuple(weight.shape)}); pass the layer's 'u0' buffer, of shape (1, {out_features})"
        )
    w = weight.reshape(out_features, -1)
    u0 = u0.reshape(1, out_features).to(w.dtype)
    v = F.normalize(u0 @ w, eps=eps)
    u = F.normalize(v @ w.t(), eps=eps)
    return {"weight_orig": weight.clone(), "weight_u": u.reshape(-1), "weight_v": v.reshape(-1)}


@torch.no_grad()
def refresh_spectral_norm_(module: nn.Module) -> None:
    """One power iteration for every SN layer in ``module``'s tree, from its stored vectors.

    A module whose weights were changed without a training forward (an EMA copy) keeps vectors of the old
    weights; eval mode would then normalise by a stale sigma. This brings them back in step.
    """
    for m in module.modules():
        for hook in _spectral_norms(m):
            hook.compute_weight(m, do_power_iteration=True)


def fold_spectral_norm(module: M) -> M:
    """Replace every SN hook in ``module``'s tree by a plain ``weight`` = W / sigma (eval-mode sigma).

    The result computes what the eval-mode network computed, without the per-forward normalization; it can
    no longer be trained with spectral norm. Modifies ``module`` in place and returns it.
    """
    for m in module.modules():
        for hook in _spectral_norms(m):
            torch.nn.utils.remove_spectral_norm(m, hook.name)
    return module
