"""The diversity score of multimodal translation (BicycleGAN Sec. 4.2; MUNIT Sec. 5.1): the mean LPIPS
distance (Zhang et al. 2018) between pairs of outputs translated from the same input with different codes.

Higher is more diverse. The protocol of both papers: 100 inputs, 19 pairs of samples per input. LPIPS is the
``lpips`` package's v0.1: its linear heads ship inside the package, but the backbone (AlexNet by default)
comes from torchvision's ImageNet file, which ganzoo never downloads on its own: put the file in
torchvision's cache (``lpips_network`` says where), or pass any ``distance`` of your own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import Tensor, nn

from ganzoo.models.capabilities import MultimodalTranslator

# lpips backbone -> (torchvision builder, torchvision's weight file)
BACKBONES: dict[str, tuple[str, str]] = {
    "alex": ("alexnet", "alexnet-owt-7be5be79.pth"),
    "vgg": ("vgg16", "vgg16-397923af.pth"),
}
_DOWNLOADS = "https://download.pytorch.org/models/"


def backbone_file(net: str) -> Path:
    """Where torchvision keeps the ImageNet weights of ``net`` (``$TORCH_HOME/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / BACKBONES[net][1]


def lpips_network(net: str = "alex", backbone_weights: str | Path | None = None) -> nn.Module:
    """LPIPS v0.1 in eval mode: the package's linear heads on ``net``'s ImageNet backbone, read (never
    unpickled) from ``backbone_weights`` or torchvision's cache; a missing file is an error that names it."""
    import lpips
    import torchvision

    if net not in BACKBONES:
        raise ValueError(f"LPIPS backbone must be one of {sorted(BACKBONES)}, got {net!r}")
    builder, filename = BACKBONES[net]
    path = Path(backbone_weights) if backbone_weights is not None else backbone_file(net)
    if not path.is_file():
        raise FileNotFoundError(
            f"LPIPS needs torchvision's ImageNet {builder} weights, {filename}, and {path} does not exist. "
            f"Download {_DOWNLOADS}{filename} on a machine with network access and put it at "
            f"{backbone_file(net)} (torchvision's cache, $TORCH_HOME/hub/checkpoints), or pass its path."
        )
    reference = getattr(torchvision.models, builder)(weights=None)
    reference.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    model = lpips.LPIPS(net=net, pretrained=True, pnet_rand=True, verbose=False)
    for stage in model.net.children():  # lpips slices torchvision's ``features`` keeping its indices
        for index, layer in stage.named_children():
            layer.load_state_dict(reference.features[int(index)].state_dict())
    return model.eval().requires_grad_(False)


@torch.no_grad()
def diversity_score(
    model: MultimodalTranslator,
    inputs: Iterable[Tensor],
    *,
    pairs: int = 19,
    seed: int = 0,
    distance: Callable[[Tensor, Tensor], Tensor] | None = None,
) -> tuple[float, float]:
    """(mean, std over inputs) of the distance between ``pairs`` pairs of translations of each input.

    ``inputs`` are (C, H, W) tensors in [-1, 1]; the codes of input ``i`` are drawn with seed ``seed + i``.
    ``distance(x, y)`` takes two (N, 3, H, W) batches in [-1, 1] and returns N distances; ``None``: LPIPS
    on AlexNet (``lpips_network()``).
    """
    if pairs < 1:
        raise ValueError(f"pairs must be >= 1, got {pairs}")
    distance = distance or lpips_network()
    per_input = []
    for i, image in enumerate(inputs):
        samples = model.translate_samples(image, 2 * pairs, seed=seed + i)
        per_input.append(distance(samples[0::2], samples[1::2]).flatten().float().mean())
    if not per_input:
        raise ValueError("diversity_score got no inputs")
    scores = torch.stack(per_input).cpu()
    return scores.mean().item(), (scores.std().item() if len(scores) > 1 else 0.0)
