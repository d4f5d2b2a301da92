"""DiscoGAN, DualGAN and DistanceGAN on the unpaired base: each paper's own objective term by term, and
DistanceGAN's distance loss against its formula (the authors' double loop), alone and with the cycle loss."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

from ganzoo import losses
from ganzoo.data import Unpaired
from ganzoo.models import DiscoGAN, DistanceGAN, DualGAN

from .helpers import optimizer_of, quiet_trainer
from .translation_data import smooth_images

SMALL = dict(net_g="resnet_6blocks", ngf=4, ndf=4, image_size=32)


def batch(n: int = 3) -> dict[str, torch.Tensor]:
    return {"A": smooth_images(n, 32, seed=0), "B": smooth_images(n, 32, seed=1)}


# --- DiscoGAN ---------------------------------------------------------------------------------------


def test_discogan_defaults_are_the_authors():
    with torch.device("meta"):
        model = DiscoGAN()
    hp, opt = model.hparams, optimizer_of(model)
    assert (hp.gan_curriculum, hp.starting_rate, hp.default_rate, hp.gan_weight) == (10_000, 0.01, 0.5, 0.1)
    assert (opt.param_groups[0]["lr"], opt.defaults["betas"], opt.defaults["weight_decay"]) == (
        2e-4,
        (0.5, 0.999),
        1e-5,
    )
    assert hp.image_size == 64 and hp.loss == "nonsaturating"
    assert (model.d_steps, model.g_steps) == (1, 2)  # update_interval 3: one D update, then two of G


def test_discogan_generator_loss_mixes_gan_feature_matching_and_reconstruction(single_thread):
    torch.manual_seed(0)
    model = DiscoGAN(**SMALL, gan_curriculum=2)
    x = batch()
    g, f = model.generator["AtoB"], model.generator["BtoA"]
    total = 0.0
    for domain, real, fake, back in (
        ("B", x["B"], g(x["A"]), g(f(x["B"]))),
        ("A", x["A"], f(x["B"]), f(g(x["A"]))),
    ):
        layers = list(model.discriminator[domain].model)
        feats_real, feats_fake, h_real, h_fake = [], [], real, fake
        for i, layer in enumerate(layers):  # features after the 2nd, 3rd and 4th LeakyReLU
            h_real, h_fake = layer(h_real), layer(h_fake)
            if isinstance(layer, torch.nn.LeakyReLU) and i > 1:
                feats_real.append(h_real)
                feats_fake.append(h_fake)
        assert len(feats_fake) == 3
        gan = F.binary_cross_entropy_with_logits(h_fake, torch.ones_like(h_fake))
        fm = sum(((r.mean(0) - q.mean(0)) ** 2).mean() for r, q in zip(feats_real, feats_fake, strict=True))
        recon = ((back - real) ** 2).mean()
        total = total + 0.99 * (0.1 * gan + 0.9 * fm) + 0.01 * recon
    out = model.g_loss(x)
    assert out["loss"].item() == pytest.approx(total.item(), rel=1e-4)
    assert model.rate == 0.01
    model.num_d_steps.fill_(1)
    model.num_g_steps.fill_(1)
    assert model.rate == 0.5  # after the curriculum, which counts the updates of both networks
    with pytest.raises(ValueError, match="PatchGAN"):
        DiscoGAN(**SMALL, net_d="pixel")


# --- DualGAN ----------------------------------------------------------------------------------------


def test_dualgan_defaults_are_the_released_codes():
    with torch.device("meta"):
        model = DualGAN()
    hp, opt = model.hparams, optimizer_of(model)
    assert isinstance(opt, torch.optim.RMSprop) and opt.defaults["alpha"] == 0.9
    assert (opt.param_groups[0]["lr"], hp.lambda_a, hp.lambda_b, hp.net_g, hp.dropout, hp.loss) == (
        5e-5,
        20.0,
        20.0,
        "unet_256",
        True,
        "nonsaturating",
    )
    assert (model.d_steps, model.g_steps) == (1, 2)  # run_optim: one D update, then two of G


def test_dualgan_generator_loss_is_gan_plus_weighted_l1_reconstructions(single_thread):
    torch.manual_seed(0)
    model = DualGAN(**SMALL, lambda_a=100.0, lambda_b=300.0, dropout=False, loss="wasserstein")
    x = batch()
    g, f = model.generator["AtoB"], model.generator["BtoA"]
    d_a, d_b = model.discriminator["A"], model.discriminator["B"]
    expected = (
        -d_b(g(x["A"])).mean()
        - d_a(f(x["B"])).mean()
        + 100.0 * (f(g(x["A"])) - x["A"]).abs().mean()
        + 300.0 * (g(f(x["B"])) - x["B"]).abs().mean()
    )
    assert model.g_loss(x)["loss"].item() == pytest.approx(expected.item(), rel=1e-5)


def test_dualgan_with_the_wasserstein_loss_clips_the_critics_after_each_update(single_thread):
    torch.manual_seed(0)
    model = DualGAN(**SMALL, loss="wasserstein", clip=0.003, lr_d=1e-2)
    data = [batch(2) for _ in range(2)]
    quiet_trainer(max_steps=2).fit(model, torch.utils.data.DataLoader(data, batch_size=None))
    assert max(p.abs().max().item() for p in model.discriminator.parameters()) <= 0.003 + 1e-7
    assert max(p.abs().max().item() for p in model.generator.parameters()) > 0.003
    unclipped = DualGAN(**SMALL, clip=0.003)
    assert unclipped.clip is None  # the released code's BCE needs no clipping


# --- DistanceGAN ------------------------------------------------------------------------------------


def authors_distance_loss(a, ab, stats_a, stats_b):
    """``get_distance_losses`` of sagiebenaim/DistanceGAN: a double loop over pairs i < j."""
    total, pairs = 0.0, 0
    for i, j in itertools.combinations(range(len(a)), 2):
        d_a = ((a[i] - a[j]).abs().mean() - stats_a[0]) / stats_a[1]
        d_ab = ((ab[i] - ab[j]).abs().mean() - stats_b[0]) / stats_b[1]
        total, pairs = total + (d_a - d_ab).abs(), pairs + 1
    return total / pairs


def test_distance_loss_matches_the_authors_formula():
    torch.manual_seed(0)
    a, ab = torch.randn(5, 3, 8, 8), torch.randn(5, 3, 8, 8) * 2
    got = losses.distance_preservation(
        losses.pairwise_distances(a), losses.pairwise_distances(ab), (0.9, 0.2), (1.7, 0.4)
    )
    assert got.item() == pytest.approx(authors_distance_loss(a, ab, (0.9, 0.2), (1.7, 0.4)).item(), rel=1e-6)
    # a map that scales distances by a constant keeps standardised distances: zero loss with matching stats
    d = losses.pairwise_distances(a)
    scaled = losses.pairwise_distances(3 * a)
    assert losses.distance_preservation(d, scaled, (d.mean(), d.std()), (scaled.mean(), scaled.std())) < 1e-5
    # self distance: the top half against the bottom half of each image
    halves = losses.half_distances(a)
    assert halves[2].item() == pytest.approx((a[2, :, :4] - a[2, :, 4:]).abs().mean().item())


def test_distance_statistics_are_the_authors_mean_and_population_std(single_thread):
    model = DistanceGAN(**SMALL)
    images_a, images_b = smooth_images(4, 32, seed=2), smooth_images(3, 32, seed=3)
    model.estimate_distance_statistics(images_a, images_b)
    for domain, images in (("A", images_a), ("B", images_b)):
        d = torch.stack(
            [(images[i] - images[j]).abs().mean() for i, j in itertools.combinations(range(len(images)), 2)]
        )
        assert model.domain_stats(domain) == pytest.approx(
            (d.mean().item(), d.std(correction=0).item()), rel=1e-5
        )


def test_distancegan_alone_and_with_the_cycle_loss(single_thread):
    torch.manual_seed(0)
    x = batch()
    alone = DistanceGAN(**SMALL)
    alone.estimate_distance_statistics(x["A"], x["B"])
    out = alone.g_loss(x)
    g, f = alone.generator["AtoB"], alone.generator["BtoA"]
    stats_a, stats_b = alone.domain_stats("A"), alone.domain_stats("B")
    expected = (
        ((alone.discriminator["B"](g(x["A"])) - 1) ** 2).mean()
        + ((alone.discriminator["A"](f(x["B"])) - 1) ** 2).mean()
        + authors_distance_loss(x["A"], g(x["A"]), stats_a, stats_b)
        + authors_distance_loss(x["B"], f(x["B"]), stats_b, stats_a)
    )
    assert set(out) == {"loss", "g_gan_a", "g_gan_b", "distance_a", "distance_b"}
    assert out["loss"].item() == pytest.approx(expected.item(), rel=1e-5)
    torch.manual_seed(0)
    cycled = DistanceGAN(**SMALL, use_cycle_loss=True)
    cycled.load_state_dict(alone.state_dict())
    both = cycled.g_loss(x)
    cycle = 10 * (f(g(x["A"])) - x["A"]).abs().mean() + 10 * (g(f(x["B"])) - x["B"]).abs().mean()
    assert both["loss"].item() == pytest.approx((expected + cycle).item(), rel=1e-5)


def test_one_sided_distancegan_trains_one_map_and_one_discriminator(single_thread):
    torch.manual_seed(0)
    model = DistanceGAN(**SMALL, sides="AtoB", normalize_distances=False)
    x = batch()
    assert set(model.g_loss(x)) == {"loss", "g_gan_b", "distance_a"}
    assert set(model.d_loss(x)) == {"loss", "d_b"}
    with pytest.raises(ValueError, match="cycle loss needs both maps"):
        DistanceGAN(**SMALL, sides="AtoB", use_cycle_loss=True)


def test_distancegan_says_what_it_needs(single_thread):
    model = DistanceGAN(**SMALL)
    with pytest.raises(RuntimeError, match="distance statistics are not set"):
        model.g_loss(batch())
    one = {"A": smooth_images(1, 32), "B": smooth_images(1, 32, seed=1)}
    model.estimate_distance_statistics(smooth_images(3, 32), smooth_images(3, 32, seed=1))
    with pytest.raises(ValueError, match="batches of at least 2 images"):
        model.g_loss(one)
    self_distance = DistanceGAN(**SMALL, self_distance=True)
    self_distance.estimate_distance_statistics(smooth_images(3, 32), smooth_images(3, 32, seed=1))
    assert torch.isfinite(self_distance.g_loss(one)["loss"])


def test_distancegan_estimates_its_statistics_from_the_data_when_training_starts(unpaired_dir, single_thread):
    torch.manual_seed(0)
    data = Unpaired(data_dir=unpaired_dir, load_size=36, crop_size=32, batch_size=2, download=False)
    model = DistanceGAN(**SMALL, max_items=3)
    quiet_trainer(max_steps=2).fit(model, data)
    a = torch.stack([data.side("train", "A")[i][0] for i in range(3)])
    d = losses.pairwise_distances(a)
    assert model.domain_stats("A") == pytest.approx((d.mean().item(), d.std(correction=0).item()), rel=1e-5)
