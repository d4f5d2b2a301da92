"""pix2pixHD and SPADE: SPADE's normalisation is local in the label map, the losses are the authors', the
coarse-to-fine generator and the boundary maps behave as described, and both train on one-hot labels."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo import losses
from ganzoo.models import SPADE, Pix2PixHD
from ganzoo.nn.instance_edges import instance_boundaries
from ganzoo.nn.pix2pixhd_generator import LocalEnhancer
from ganzoo.nn.spade import SPADE as SPADENorm

from .helpers import optimizer_of


def one_hot(indices: torch.Tensor, k: int = 12) -> torch.Tensor:
    return F.one_hot(indices, k).permute(0, 3, 1, 2).float()


def _batch(size: int = 64) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return {
        "A": one_hot(torch.randint(0, 12, (2, size, size), generator=g)),
        "B": torch.rand(2, 3, size, size) * 2 - 1,
    }


def test_spade_responds_to_the_label_map_only_near_a_changed_region() -> None:
    torch.manual_seed(0)
    norm = SPADENorm(8, 12, hidden=16).eval()
    x = torch.randn(1, 8, 32, 32)
    labels = torch.zeros(1, 32, 32, dtype=torch.long)
    changed = labels.clone()
    changed[:, 10:16, 12:20] = 5  # one region gets another class
    with torch.no_grad():
        delta = (norm(x, one_hot(changed)) - norm(x, one_hot(labels))).abs().amax(1)[0]
    near = torch.zeros(32, 32, dtype=torch.bool)
    near[10 - 2 : 16 + 2, 12 - 2 : 20 + 2] = True  # two stacked 3x3 convs see 2 pixels around the region
    assert delta[10:16, 12:20].min() > 0  # inside the region, every pixel is modulated differently
    assert delta[~near].max() == 0  # outside its reach, nothing moves
    assert delta[near].max() > 1e-3


def test_spade_defaults_are_the_authors() -> None:
    with torch.device("meta"):
        model = SPADE()
    hp = model.hparams
    assert (hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"]) == (1e-4, 4e-4, (0.0, 0.9))
    assert (hp.lambda_feat, hp.lambda_vgg, hp.lambda_kld, hp.z_dim, hp.num_d) == (10.0, 10.0, 0.05, 256, 2)
    assert model.generator.sw == 8 and len(model.discriminator.scales) == 2
    first = model.discriminator.scales[0].blocks[1][0]
    assert hasattr(first, "weight_orig") and first.bias is None  # spectral instance norm, no bias


def test_spade_losses_are_hinge_averaged_over_scales_plus_feature_matching() -> None:
    torch.manual_seed(0)
    model = SPADE(ngf=2, ndf=4, image_size=64)
    model.eval()  # spectral norm's power iteration would move G and D between the calls below
    batch = _batch()
    torch.manual_seed(1)
    out = model.g_loss(batch)
    torch.manual_seed(1)
    fake = model.generator(batch["A"])
    real = model.discriminator(torch.cat([batch["A"], batch["B"]], 1))
    fake_scores = model.discriminator(torch.cat([batch["A"], fake], 1))
    gan = -(fake_scores[0][-1].mean() + fake_scores[1][-1].mean()) / 2
    feat = (
        sum(
            (f - r).abs().mean()
            for i in range(2)
            for r, f in zip(real[i][:-1], fake_scores[i][:-1], strict=True)
        )
        / 2
    )
    torch.testing.assert_close(out["g_gan"], gan)
    torch.testing.assert_close(out["g_feat"], 10 * feat)
    d = model.d_loss(batch)
    torch.testing.assert_close(d["loss"], d["d_real"] + d["d_fake"])


def test_spade_with_the_encoder_adds_the_kl_term_and_z_changes_the_image() -> None:
    torch.manual_seed(0)
    model = SPADE(ngf=2, ndf=4, image_size=64, use_vae=True, z_dim=8)
    out = model.g_loss(_batch())
    assert out["kld"] > 0 and {"g_gan", "g_feat", "kld"} <= out.keys()
    labels = _batch()["A"][:1]
    with torch.no_grad():
        a, b = model.generator.eval()(labels, torch.randn(1, 8)), model.generator(labels, torch.randn(1, 8))
    assert (a - b).abs().mean() > 1e-4


def test_feature_matching_is_its_formula() -> None:
    g = torch.Generator().manual_seed(0)
    real = [[torch.randn(2, 3, 4, 4, generator=g) for _ in range(3)] for _ in range(2)]
    fake = [[torch.randn(2, 3, 4, 4, generator=g) for _ in range(3)] for _ in range(2)]
    expected = sum((fake[d][layer] - real[d][layer]).abs().mean() for d in range(2) for layer in range(2)) / 2
    torch.testing.assert_close(losses.feature_matching(real, fake), expected)


def test_pix2pixhd_losses_are_lsgan_summed_over_scales_plus_feature_matching() -> None:
    torch.manual_seed(0)
    model = Pix2PixHD(ngf=4, ndf=4, n_blocks_global=1, image_size=64)
    assert optimizer_of(model).defaults["betas"] == (0.5, 0.999) and model.hparams.lambda_feat == 10.0
    batch = _batch()
    out, d = model.g_loss(batch), model.d_loss(batch)
    fake = model.generator(batch["A"])
    real = model.discriminator(torch.cat([batch["A"], batch["B"]], 1))
    fake_scores = model.discriminator(torch.cat([batch["A"], fake], 1))
    torch.testing.assert_close(out["g_gan"], sum(((f[-1] - 1) ** 2).mean() for f in fake_scores))
    expected_d = sum(
        0.5 * (((r[-1] - 1) ** 2).mean() + (f[-1] ** 2).mean())
        for r, f in zip(real, fake_scores, strict=True)
    )
    torch.testing.assert_close(d["loss"], expected_d)
    torch.testing.assert_close(out["loss"], out["g_gan"] + out["g_feat"])


def test_local_enhancer_refines_the_global_generator_at_twice_its_resolution() -> None:
    torch.manual_seed(0)
    net = LocalEnhancer(12, ngf=4, n_blocks_global=1, n_blocks_local=1)
    assert net.model[1].out_channels == 8  # G1 runs at twice the width, on the input downsampled 2x
    x = one_hot(torch.randint(0, 12, (1, 64, 64)))
    assert net(x).shape == (1, 3, 64, 64)
    assert net.model(net.downsample(x)).shape == (1, 8, 32, 32) == net.model1_1(x).shape
    with pytest.raises(ValueError, match="multiples of 32"):
        net(x[..., :48, :48])


def test_instance_boundaries_mark_both_sides_of_an_id_change_and_feed_the_generator() -> None:
    ids = torch.zeros(1, 1, 6, 6, dtype=torch.long)
    ids[..., :, 3:] = 7  # two instances side by side
    edges = instance_boundaries(ids)
    assert edges[0, 0].sum(0).tolist() == [0, 0, 6, 6, 0, 0]
    model = Pix2PixHD(ngf=4, ndf=4, n_blocks_global=1, image_size=64, instance_maps=True)
    batch = {**_batch(), "instance": torch.zeros(2, 1, 64, 64, dtype=torch.long)}
    assert model.generator.model[1].in_channels == 13 and model.labels(batch).shape[1] == 13
    with pytest.raises(ValueError, match="'instance' map"):
        model.labels(_batch())


def test_vgg_loss_needs_the_users_vgg19_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"vgg19-dcbb9e9d\.pth.*hub/checkpoints"):
        Pix2PixHD(ngf=4, ndf=4, n_blocks_global=1, vgg_weights=str(tmp_path / "missing.pth"))


def test_label_inputs_are_shown_coloured_by_class() -> None:
    model = Pix2PixHD(ngf=4, ndf=4, n_blocks_global=1, generator_only=True)
    shown = model.displayable(one_hot(torch.arange(12).repeat(2, 1)[None].expand(1, 2, 12)))
    assert shown.shape == (1, 3, 2, 12) and shown.min() >= -1 and shown.max() <= 1
    assert len({tuple(shown[0, :, 0, i].tolist()) for i in range(12)}) == 12  # one colour per class
