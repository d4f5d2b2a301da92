"""UNIT and MUNIT: the authors' defaults and module layout, each objective term by term, and MUNIT's
translations by style code, seed and reference image (one input, many outputs)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo.models import MUNIT, UNIT

from .helpers import optimizer_of

SMALL = dict(gen_dim=4, n_res=1, dis_dim=4, n_layer=2, num_scales=2, image_size=16)


def munit(**kwargs) -> MUNIT:
    return MUNIT(**{**SMALL, "style_dim": 3, "mlp_dim": 8, **kwargs})


def batch() -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return {
        "A": torch.rand(2, 3, 16, 16, generator=g) * 2 - 1,
        "B": torch.rand(2, 3, 16, 16, generator=g) * 2 - 1,
    }


def test_munit_defaults_and_layout_are_the_authors():
    with torch.device("meta"):
        model = MUNIT()
    w, opt = model.weights, optimizer_of(model)
    assert w == {"gan": 1.0, "recon_x": 10.0, "recon_s": 1.0, "recon_c": 1.0, "recon_x_cyc": 0.0}
    assert (opt.param_groups[0]["lr"], opt.defaults["betas"], opt.defaults["weight_decay"]) == (
        1e-4,
        (0.5, 0.999),
        1e-4,
    )
    keys = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    # NVlabs' AdaINGen / MsImageDis names, gen_a -> generator.A
    assert keys["generator.A.enc_style.model.0.conv.weight"] == (64, 3, 7, 7)
    assert keys["generator.A.enc_style.model.6.weight"] == (8, 256, 1, 1)  # 1x1 conv to the style code
    assert keys["generator.A.enc_content.model.3.model.3.model.0.conv.weight"] == (256, 256, 3, 3)
    assert keys["generator.A.dec.model.2.conv.weight"] == (128, 256, 5, 5)
    assert keys["generator.A.dec.model.2.norm.gamma"] == (128,)
    # 4 AdaIN residual blocks x 2 norms x (mean, std) of 256 channels
    assert keys["generator.A.mlp.model.2.fc.weight"] == (4 * 2 * 2 * 256, 256)
    assert keys["discriminator.B.cnns.2.3.conv.weight"] == (512, 256, 4, 4)
    assert keys["discriminator.B.cnns.2.4.weight"] == (1, 512, 1, 1)


def test_unit_defaults_and_layout_are_the_authors():
    with torch.device("meta"):
        model = UNIT()
    assert model.weights == {
        "gan": 1.0,
        "recon_x": 10.0,
        "recon_kl": 0.01,
        "recon_x_cyc": 10.0,
        "recon_kl_cyc": 0.01,
    }
    keys = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert keys["generator.B.enc.model.0.conv.weight"] == (64, 3, 7, 7)
    assert keys["generator.B.dec.model.0.model.3.model.0.norm.running_mean"] == (256,)  # instance norm
    assert not any("mlp" in k for k in keys)


def test_munit_generator_loss_term_by_term(single_thread):
    torch.manual_seed(0)
    model = munit(recon_x_cyc_w=2.0)
    x = batch()
    torch.manual_seed(1)
    out = model.g_loss(x)
    torch.manual_seed(1)
    s = {"A": torch.randn(2, 3, 1, 1), "B": torch.randn(2, 3, 1, 1)}
    ga, gb = model.generator["A"], model.generator["B"]
    (ca, sa), (cb, sb) = ga.encode(x["A"]), gb.encode(x["B"])
    x_ba, x_ab = ga.decode(cb, s["A"]), gb.decode(ca, s["B"])
    cb_back, sa_back = ga.encode(x_ba)
    ca_back, sb_back = gb.encode(x_ab)
    gan = sum(((d - 1) ** 2).mean() for d in model.discriminator["A"](x_ba)) + sum(
        ((d - 1) ** 2).mean() for d in model.discriminator["B"](x_ab)
    )
    expected = (
        gan
        + 10 * (F.l1_loss(ga.decode(ca, sa), x["A"]) + F.l1_loss(gb.decode(cb, sb), x["B"]))
        + F.l1_loss(sa_back, s["A"])
        + F.l1_loss(sb_back, s["B"])
        + F.l1_loss(ca_back, ca)
        + F.l1_loss(cb_back, cb)
        + 2.0 * (F.l1_loss(ga.decode(ca_back, sa), x["A"]) + F.l1_loss(gb.decode(cb_back, sb), x["B"]))
    )
    assert out["loss"].item() == pytest.approx(expected.item(), rel=1e-5)


def test_unit_generator_loss_term_by_term(single_thread):
    torch.manual_seed(0)
    model = UNIT(**SMALL)
    x = batch()
    torch.manual_seed(1)
    out = model.g_loss(x)
    torch.manual_seed(1)
    ga, gb = model.generator["A"], model.generator["B"]
    ha, hb = ga.encode(x["A"]), gb.encode(x["B"])
    za, zb = ha + torch.randn_like(ha), hb + torch.randn_like(hb)
    x_ba, x_ab = ga.decode(zb), gb.decode(za)
    h_back_a = gb.encode(x_ab)  # A's image through B, re-encoded
    h_back_b = ga.encode(x_ba)
    n1, n2 = torch.randn_like(h_back_a), torch.randn_like(h_back_b)
    gan = sum(((d - 1) ** 2).mean() for d in model.discriminator["A"](x_ba)) + sum(
        ((d - 1) ** 2).mean() for d in model.discriminator["B"](x_ab)
    )
    expected = (
        gan
        + 10 * (F.l1_loss(ga.decode(za), x["A"]) + F.l1_loss(gb.decode(zb), x["B"]))
        + 0.01 * (ha.pow(2).mean() + hb.pow(2).mean())
        + 0.01 * (h_back_a.pow(2).mean() + h_back_b.pow(2).mean())
        + 10 * (F.l1_loss(ga.decode(h_back_a + n1), x["A"]) + F.l1_loss(gb.decode(h_back_b + n2), x["B"]))
    )
    assert out["loss"].item() == pytest.approx(expected.item(), rel=1e-5)
    with torch.no_grad():  # translation decodes the code mean, without noise (instance statistics)
        mean_only = gb.decode(ga.encode(x["A"]))
    assert torch.allclose(model.translate(x["A"]), mean_only, atol=1e-6)


def test_munit_translates_by_style_code_seed_and_reference(single_thread):
    torch.manual_seed(0)
    model = munit()
    x = batch()["A"][0]
    by_seed = model.translate(x, seed=3)
    assert torch.equal(by_seed, model.translate(x, seed=3))
    assert not torch.allclose(by_seed, model.translate(x, seed=4))
    z = torch.randn(3)
    assert not torch.allclose(model.translate(x, z=z), model.translate(x, z=-z))
    grid = model.diversity(x, k=4, seed=0)
    assert grid.shape == (4, 3, 16, 16) and not torch.allclose(grid[0], grid[1])
    # a reference image of B lends its style: the same as decoding with the code B's encoder gives it
    ref = batch()["B"][1]
    with torch.no_grad():
        style = model.generator["B"].encode(ref[None])[1]
    assert torch.allclose(model.translate(x, reference=ref), model.translate(x, z=style.flatten()), atol=1e-6)
    back = model.translate(x, "BtoA", seed=0)
    assert back.shape == x.shape
    with pytest.raises(ValueError, match="give one of z=, reference= or seed="):
        model.translate(x, z=z, seed=1)


REDS = (torch.tensor([0.2, -0.9, -0.9]), torch.tensor([1.0, 0.3, 0.3]))
BLUES = (torch.tensor([-0.9, -0.9, 0.2]), torch.tensor([0.3, 0.3, 1.0]))


def shapes_and_colours(
    n: int, seed: int, palette: tuple[torch.Tensor, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n`` 16x16 black images with a 6x6 square at a random place (the content) in a random colour of
    ``palette``, a box of RGB values (the style): the images, the squares' masks and their colours."""
    g = torch.Generator().manual_seed(seed)
    images, masks = -torch.ones(n, 3, 16, 16), torch.zeros(n, 16, 16, dtype=torch.bool)
    low, high = palette
    colours = low + (high - low) * torch.rand(n, 3, generator=g)
    for i in range(n):
        x0, y0 = torch.randint(0, 11, (2,), generator=g).tolist()
        masks[i, y0 : y0 + 6, x0 : x0 + 6] = True
    images = torch.where(masks[:, None], colours[:, :, None, None], images)
    return images, masks, colours


@pytest.mark.slow
def test_after_training_a_style_swap_keeps_the_content_and_takes_the_style(single_thread):
    """Trained with the full MUNIT objective (the authors' loss weights) on red squares (A) and blue squares
    (B) for 1,000 iterations (``max_steps`` counts D and G steps; 3.6 minutes at a load of 4 on two CPU
    cores, 6.5 at a load of 8), decoding one image's content with another A image's style draws the
    square where the content image has it (mask IoU >= 0.9) in the colour of the style image: on average
    and for at least 60% of the pairs (chance: half), the square's colour is nearer the style image's
    colour than the content image's (measured: IoU 0.97, distances 0.41 against 0.58, nearer the style
    for 67% of the pairs; the same recipe run outside pytest: IoU 0.98, distances 0.36 against 0.61).
    After 150 iterations the colour does not follow the style yet (measured: IoU 0.80, distances 0.760
    against 0.765): the style path needs the longer run."""
    from torch.utils.data import DataLoader

    from .helpers import quiet_trainer

    torch.manual_seed(0)
    model = munit(
        style_dim=4, mlp_dim=32, gen_dim=8, dis_dim=8, n_layer=2, num_scales=1, lr_g=1e-3, lr_d=1e-3
    )
    a, b = shapes_and_colours(256, 0, REDS)[0], shapes_and_colours(256, 1, BLUES)[0]
    data = [{"A": a[i : i + 8], "B": b[i : i + 8]} for i in range(0, 256, 8)]
    quiet_trainer(max_steps=2000).fit(model, DataLoader(data, batch_size=None, shuffle=True))

    x, mask, colour = shapes_and_colours(64, 2, REDS)  # unseen images
    g = model.generator["A"].eval()
    with torch.no_grad():
        content, style = g.encode(x)
        rec, swap = g.decode(content, style), g.decode(content, style.roll(1, 0))  # i in i-1's style
    drawn = (swap + 1).abs().sum(1) > 0.6  # not the black background
    iou = (drawn & mask).sum((1, 2)) / (drawn | mask).sum((1, 2))
    swap_colour = (swap * mask[:, None]).sum((2, 3)) / mask.sum((1, 2))[:, None]
    to_style = (swap_colour - colour.roll(1, 0)).norm(dim=1)
    to_content = (swap_colour - colour).norm(dim=1)
    print(
        f"IoU {iou.mean():.3f}; colour distance to style {to_style.mean():.3f}, to content "
        f"{to_content.mean():.3f}, nearer the style for {(to_style < to_content).float().mean():.3f}"
    )
    assert (rec - x).abs().mean() < 0.15  # measured 0.035
    assert iou.mean() >= 0.9
    assert to_style.mean() < to_content.mean()
    assert (to_style < to_content).float().mean() >= 0.6
