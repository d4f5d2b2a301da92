"""The diversity score: the mean LPIPS between pairs of translations of one input, and LPIPS's backbone read
from a local torchvision file (never downloaded)."""

from __future__ import annotations

import lpips
import pytest
import torch
import torchvision

from ganzoo.metrics.diversity import backbone_file, diversity_score, lpips_network
from ganzoo.models import BicycleGAN


@pytest.fixture(scope="module")
def model() -> BicycleGAN:
    torch.manual_seed(0)
    return BicycleGAN(net_g="unet_64", ngf=4, ndf=4, nef=4, image_size=64, init_gain=1.0).eval()


@pytest.fixture(scope="module")
def random_lpips() -> torch.nn.Module:
    """LPIPS with the package's linear heads on a randomly initialised AlexNet (no ImageNet file needed)."""
    torch.manual_seed(1)
    return lpips.LPIPS(net="alex", pretrained=True, pnet_rand=True, verbose=False).eval()


def test_score_is_the_mean_distance_of_the_pairs(model, random_lpips) -> None:
    inputs = [torch.rand(3, 64, 64) * 2 - 1 for _ in range(2)]
    mean, std = diversity_score(model, inputs, pairs=3, seed=5, distance=random_lpips)
    per_input = []
    for i, x in enumerate(inputs):
        s = model.translate_samples(x, 6, seed=5 + i)
        per_input.append(
            torch.stack([random_lpips(s[j : j + 1], s[j + 1 : j + 2]).squeeze() for j in (0, 2, 4)]).mean()
        )
    expected = torch.stack(per_input)
    assert mean == pytest.approx(expected.mean().item(), rel=1e-5) and mean > 0
    assert std == pytest.approx(expected.std().item(), rel=1e-4)


def test_a_model_that_ignores_z_scores_zero(model, random_lpips, monkeypatch) -> None:
    monkeypatch.setattr(model, "latent", lambda n, seed=None: torch.zeros(n, model.nz))
    assert diversity_score(model, [torch.zeros(3, 64, 64)], pairs=2, distance=random_lpips)[0] == 0.0


def test_offline_without_the_backbone_file_names_it_and_where_it_goes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert backbone_file("alex") == tmp_path / "torch" / "hub" / "checkpoints" / "alexnet-owt-7be5be79.pth"
    with pytest.raises(FileNotFoundError, match=r"alexnet-owt-7be5be79\.pth.*hub/checkpoints"):
        lpips_network()


def test_the_backbone_comes_from_the_local_torchvision_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    torch.manual_seed(2)
    alexnet = torchvision.models.alexnet(weights=None)
    backbone_file("alex").parent.mkdir(parents=True)
    torch.save(alexnet.state_dict(), backbone_file("alex"))
    network = lpips_network()
    torch.testing.assert_close(network.net.slice1[0].weight, alexnet.features[0].weight)
    torch.testing.assert_close(getattr(network.net.slice5, "10").weight, alexnet.features[10].weight)
    heads = lpips.LPIPS(net="alex", pretrained=True, pnet_rand=True, verbose=False)
    torch.testing.assert_close(network.lin0.model[1].weight, heads.lin0.model[1].weight)  # the shipped heads
    x, y = torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 3, 32, 32) * 2 - 1
    assert (network(x, x).abs() < 1e-6).all() and (network(x, y) > 0).all()
