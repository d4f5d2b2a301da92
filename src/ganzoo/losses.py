"""Adversarial losses and penalties as pure functions.

Discriminator losses take raw (pre-sigmoid) outputs ``real`` = D(x) and ``fake`` = D(G(z)) and return a
scalar to *minimise*; generator losses take ``fake`` only. Penalties take the discriminator itself because
they differentiate through it. Nothing here holds state, so a paper is a composition of these functions
and every one of them can be checked against its formula in isolation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "LOSSES",
    "began_convergence",
    "began_equilibrium_update",
    "bernoulli_nll",
    "categorical_code_nll",
    "clip_weights_",
    "dragan_penalty",
    "epsilon_drift",
    "feature_matching",
    "gaussian_code_nll",
    "gaussian_kl",
    "gradient_penalty",
    "hinge_d",
    "hinge_g",
    "least_squares_d",
    "least_squares_g",
    "minimax_d",
    "minimax_g",
    "nonsaturating_d",
    "nonsaturating_g",
    "orthogonal_regularization",
    "perceptual_l1",
    "r1_penalty",
    "wasserstein_d",
    "wasserstein_g",
]


# --- Goodfellow et al. 2014 -------------------------------------------------------------------------


def minimax_d(real: Tensor, fake: Tensor) -> Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))], with D = sigmoid(logits), computed stably."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def minimax_g(fake: Tensor) -> Tensor:
    """E[log(1 - D(G(z)))]: the saturating generator loss of the original minimax game."""
    return -F.softplus(fake).mean()


nonsaturating_d = minimax_d


def nonsaturating_g(fake: Tensor) -> Tensor:
    """-E[log D(G(z))]: the generator loss the GAN paper recommends in practice (strong early gradients)."""
    return F.softplus(-fake).mean()


# --- WGAN (Arjovsky et al. 2017) ---------------------------------------------------------------------


def wasserstein_d(real: Tensor, fake: Tensor) -> Tensor:
    """E[D(G(z))] - E[D(x)]: the negated Kantorovich-Rubinstein estimate of W1."""
    return fake.mean() - real.mean()


def wasserstein_g(fake: Tensor) -> Tensor:
    """-E[D(G(z))]."""
    return -fake.mean()


@torch.no_grad()
def clip_weights_(module: nn.Module, clip: float) -> None:
    """Clamp every parameter of the critic to [-clip, clip] in place (WGAN's Lipschitz constraint)."""
    for p in module.parameters():
        p.clamp_(-clip, clip)


def epsilon_drift(real: Tensor) -> Tensor:
    """E[D(x)^2]: ProGAN's drift term (Karras et al. 2018, Sec. A.1), weighted by epsilon_drift = 1e-3, which
    keeps a Wasserstein critic's outputs from drifting far from zero."""
    return real.pow(2).mean()


# --- Hinge (Lim & Ye 2017; Miyato et al. 2018) -------------------------------------------------------


def hinge_d(real: Tensor, fake: Tensor) -> Tensor:
    """E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


hinge_g = wasserstein_g


# --- LSGAN (Mao et al. 2017) -------------------------------------------------------------------------


def least_squares_d(real: Tensor, fake: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]; the paper's a=0, b=1 (or a=-1, b=1)."""
    return 0.5 * (real - b).pow(2).mean() + 0.5 * (fake - a).pow(2).mean()


def least_squares_g(fake: Tensor, c: float = 1.0) -> Tensor:
    """1/2 E[(D(G(z)) - c)^2]."""
    return 0.5 * (fake - c).pow(2).mean()


# --- Gradient penalties ------------------------------------------------------------------------------


def _grad_norm(discriminator: Callable[[Tensor], Tensor], points: Tensor) -> Tensor:
    """Per-sample L2 norm of dD/dx at ``points``, keeping the graph so the penalty can be trained."""
    points = points.detach().requires_grad_(True)
    out = discriminator(points)
    (grad,) = torch.autograd.grad(out.sum(), points, create_graph=True)
    return grad.flatten(1).norm(2, dim=1)


def gradient_penalty(
    discriminator: Callable[[Tensor], Tensor],
    real: Tensor,
    fake: Tensor,
    *,
    alpha: Tensor | None = None,
) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E[(||grad D(x_hat)||_2 - 1)^2], x_hat = alpha x + (1 - alpha) x~.

    ``alpha`` (shape ``(N, 1, ..., 1)``) is drawn from U[0, 1] when not given; passing it makes the
    penalty deterministic for tests.
    """
    if alpha is None:
        alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device, dtype=real.dtype)
    x_hat = alpha * real.detach() + (1.0 - alpha) * fake.detach()
    return (_grad_norm(discriminator, x_hat) - 1.0).pow(2).mean()


def dragan_penalty(
    discriminator: Callable[[Tensor], Tensor],
    real: Tensor,
    *,
    c: float = 0.5,
    noise: Tensor | None = None,
    alpha: Tensor | None = None,
) -> Tensor:
    """DRAGAN (Kodali et al. 2017): the gradient penalty on points near the data, not between data and fakes.

    x_p = x + c * std(x) * u, u ~ U[0, 1]; x_hat = x + alpha (x_p - x), as in the authors' code.
    ``noise`` (u) and ``alpha`` may be given to make the penalty deterministic.
    """
    real = real.detach()
    if noise is None:
        noise = torch.rand_like(real)
    if alpha is None:
        alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device, dtype=real.dtype)
    perturbed = real + c * real.std() * noise
    x_hat = real + alpha * (perturbed - real)
    return (_grad_norm(discriminator, x_hat) - 1.0).pow(2).mean()


def r1_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor) -> Tensor:
    """R1 (Mescheder et al. 2018): E[||grad D(x)||_2^2] on real data; scale by gamma / 2 at the call site."""
    return _grad_norm(discriminator, real).pow(2).mean()


# --- BEGAN (Berthelot et al. 2017) -------------------------------------------------------------------


def began_equilibrium_update(
    k: Tensor, loss_real: Tensor, loss_fake: Tensor, gamma: float, lambda_k: float
) -> Tensor:
    """k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1): BEGAN's proportional control of k."""
    return (k + lambda_k * (gamma * loss_real - loss_fake)).clamp(0.0, 1.0)


def began_convergence(loss_real: Tensor, loss_fake: Tensor, gamma: float) -> Tensor:
    """M_global = L(x) + |gamma L(x) - L(G(z))|: BEGAN's measure of convergence (lower is better)."""
    return loss_real + (gamma * loss_real - loss_fake).abs()


# --- InfoGAN (Chen et al. 2016) ----------------------------------------------------------------------


def categorical_code_nll(logits: Tensor, codes: Tensor) -> Tensor:
    """-E[log Q(c | x)] for a categorical code ``c`` (indices) given Q's logits: a cross-entropy.

    For a uniform K-way code, log K minus this is InfoGAN's lower bound L_I on the mutual information.
    """
    return F.cross_entropy(logits, codes)


def gaussian_code_nll(mean: Tensor, codes: Tensor, log_std: Tensor | None = None) -> Tensor:
    """-E[log Q(c | x)] for continuous codes under a factored Gaussian Q(c | x) = N(mean, std^2).

    Summed over code dimensions, averaged over the batch. ``log_std=None`` fixes std = 1, as in the authors'
    MNIST experiment, where the term is half the squared error plus a constant.
    """
    if log_std is None:
        log_std = torch.zeros_like(mean)
    nll = 0.5 * math.log(2 * math.pi) + log_std + 0.5 * ((codes - mean) * torch.exp(-log_std)).pow(2)
    return nll.sum(dim=1).mean()


# --- Orthogonal regularization (Brock et al. 2017; 2019) --------------------------------------------


def orthogonal_regularization(
    weights: nn.Module | Iterable[Tensor], beta: float, *, off_diagonal: bool = True
) -> Tensor:
    """beta * sum_W ||W W^T * (1 - I)||_F^2 over every weight of >= 2 dims, W flattened to (out, -1).

    BigGAN's form (``off_diagonal=True``) only decorrelates the filters, leaving their norms free; the
    original form (Brock et al. 2017, ``off_diagonal=False``) is beta * ||W W^T - I||_F^2. Pass a module
    (all its parameters) or the parameters to regularize. BigGAN-PyTorch adds 2 beta (W W^T * (1 - I)) W to
    the gradient directly, which is this penalty's gradient at beta / 2.
    """
    params = weights.parameters() if isinstance(weights, nn.Module) else weights
    total: Tensor | None = None
    for p in params:
        if p.dim() < 2:
            continue
        w = p.reshape(p.shape[0], -1)
        gram = w @ w.t()
        eye = torch.eye(gram.shape[0], device=gram.device, dtype=gram.dtype)
        term = (gram * (1.0 - eye) if off_diagonal else gram - eye).pow(2).sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("orthogonal_regularization got no weight with two or more dimensions")
    return beta * total


# --- Kingma & Welling 2014 (the VAE baseline of Lucic et al. 2018) ---------------------------------------


def gaussian_kl(mean: Tensor, std: Tensor) -> Tensor:
    """KL(N(mean, diag(std^2)) || N(0, I)) per sample, 1/2 sum(mean^2 + std^2 - log std^2 - 1)."""
    return 0.5 * (mean.pow(2) + std.pow(2) - 2 * std.log() - 1).flatten(1).sum(1)


def bernoulli_nll(probs: Tensor, target: Tensor, eps: float = 1e-8) -> Tensor:
    """-sum(x log p + (1 - x) log(1 - p)) per sample, for targets in [0, 1]; ``probs`` clipped to
    [eps, 1 - eps] as in the study's VAE, so a saturated decoder gives a large loss, not an infinite one
    (``eps`` is raised to the dtype's resolution: in float32, 1 - 1e-8 rounds to 1)."""
    eps = max(eps, torch.finfo(probs.dtype).eps)
    p = probs.clamp(eps, 1 - eps)
    return -(target * p.log() + (1 - target) * (1 - p).log()).flatten(1).sum(1)


LOSSES: dict[str, tuple[Callable[[Tensor, Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "minimax": (minimax_d, minimax_g),
    "nonsaturating": (nonsaturating_d, nonsaturating_g),
    "wasserstein": (wasserstein_d, wasserstein_g),
    "hinge": (hinge_d, hinge_g),
    "least_squares": (least_squares_d, least_squares_g),
}
"""(discriminator loss, generator loss) pairs by name, for papers that take ``loss=`` as an argument."""


# --- StarGAN (Choi et al. 2018) ----------------------------------------------------------------------


def attribute_bce(logits: Tensor, targets: Tensor) -> Tensor:
    """sum_i BCE(logit_i, target_i) over the attributes, averaged over the batch: the domain classification
    loss of an auxiliary classifier over independent binary attributes (StarGAN's L_cls on CelebA)."""
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / logits.shape[0]


__all__ += ["attribute_bce"]


# --- DiscoGAN (Kim et al. 2017) ----------------------------------------------------------------------


def mean_feature_matching(real_features: Iterable[Tensor], fake_features: Iterable[Tensor]) -> Tensor:
    """sum over layers of mean_units (E[f(x)] - E[f(G(z))])^2, batch means compared unit by unit: the feature
    matching term of DiscoGAN's generator (their ``get_fm_loss``, a HingeEmbeddingLoss against 1, i.e. the
    mean of the squared differences)."""
    terms = [(r.mean(0) - f.mean(0)).pow(2).mean() for r, f in zip(real_features, fake_features, strict=True)]
    return torch.stack(terms).sum()


# --- DistanceGAN (Benaim & Wolf 2017) ----------------------------------------------------------------


def pairwise_distances(images: Tensor) -> Tensor:
    """||x_i - x_j||_1 / numel (the mean absolute difference) of every pair i < j of a batch, triu order."""
    i, j = torch.triu_indices(len(images), len(images), 1, device=images.device)
    flat = images.flatten(1)
    return (flat[i] - flat[j]).abs().mean(1)


def half_distances(images: Tensor) -> Tensor:
    """The mean absolute difference between the top and bottom halves of each image (the self distance)."""
    top, bottom = images.chunk(2, dim=-2)
    return (top - bottom).abs().flatten(1).mean(1)


def distance_preservation(
    source: Tensor,
    mapped: Tensor,
    source_stats: tuple[float, float] = (0.0, 1.0),
    target_stats: tuple[float, float] = (0.0, 1.0),
) -> Tensor:
    """DistanceGAN's L_distance: E |(d(x_i, x_j) - mu_A) / sigma_A - (d(G x_i, G x_j) - mu_B) / sigma_B|
    over distances ``source`` of images of A and ``mapped``, the same distances between their translations
    (``pairwise_distances`` or ``half_distances`` of both). The (mean, std) statistics are those of each
    domain's distances, so a map that keeps distances in standard units is not penalised for rescaling."""
    (mu_a, sigma_a), (mu_b, sigma_b) = source_stats, target_stats
    return ((source - mu_a) / sigma_a - (mapped - mu_b) / sigma_b).abs().mean()


__all__ += [
    "distance_preservation",
    "half_distances",
    "mean_feature_matching",
    "pairwise_distances",
]


# --- UNIT / MUNIT (Liu et al. 2017; Huang et al. 2018) ---------------------------------------------


def multiscale_least_squares_d(real: Sequence[Tensor], fake: Sequence[Tensor]) -> Tensor:
    """sum over scales of E[(D(x) - 1)^2] + E[D(G(z))^2]: the LSGAN loss of a multi-scale D, unhalved."""
    return sum(
        (((r - 1) ** 2).mean() + (f**2).mean() for r, f in zip(real, fake, strict=True)),
        real[0].new_zeros(()),
    )


def multiscale_least_squares_g(fake: Sequence[Tensor]) -> Tensor:
    """sum over scales of E[(D(G(z)) - 1)^2]."""
    return sum((((f - 1) ** 2).mean() for f in fake), fake[0].new_zeros(()))


def unit_kl(mean: Tensor) -> Tensor:
    """UNIT's KL term for a Gaussian code of unit variance: E[mu^2] (KL to N(0, I) up to its factor 1/2 and
    constants, as the authors compute it)."""
    return mean.pow(2).mean()


__all__ += ["multiscale_least_squares_d", "multiscale_least_squares_g", "unit_kl"]
# --- pix2pixHD (Wang et al. 2018) and SPADE (Park et al. 2019) ----------------------------------------


def feature_matching(real: list[list[Tensor]], fake: list[list[Tensor]]) -> Tensor:
    """1/num_D sum_D sum_layers ||D_l(x) - D_l(G(s))||_1 over every layer but the score map, real side
    detached: pix2pixHD's GAN feature loss at its defaults (4 / (n_layers + 1) = 1) and SPADE's."""
    total = sum(
        F.l1_loss(f, r.detach())
        for r_scale, f_scale in zip(real, fake, strict=True)
        for r, f in zip(r_scale[:-1], f_scale[:-1], strict=True)
    )
    return total / len(real)


def perceptual_l1(real: list[Tensor], fake: list[Tensor], weights: Iterable[float]) -> Tensor:
    """sum_i w_i ||phi_i(x) - phi_i(G(s))||_1 over a feature network's stages, real side detached (the VGG
    loss of pix2pixHD and SPADE, weights 1/32, 1/16, 1/8, 1/4, 1)."""
    return sum(w * F.l1_loss(f, r.detach()) for w, r, f in zip(weights, real, fake, strict=True))
