"""CycleGAN: the authors' objective term by term, the pool in D's step, training, and a falling cycle loss."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo.models import CycleGAN

from .helpers import StepRecorder, changed, optimizer_of, quiet_trainer, snapshot
from .translation_data import loader, smooth_images


def tiny(**kwargs) -> CycleGAN:
    defaults = dict(net_g="resnet_6blocks", ngf=4, ndf=4, image_size=32)
    return CycleGAN(**{**defaults, **kwargs})


def _batch() -> dict[str, torch.Tensor]:
    return {"A": smooth_images(2, 32, seed=0), "B": smooth_images(2, 32, seed=1)}


def test_defaults_are_the_authors():
    with torch.device("meta"):
        model = CycleGAN()
    hp = model.hparams
    assert (hp.net_g, hp.net_d, hp.norm, hp.dropout, hp.loss) == (
        "resnet_9blocks",
        "basic",
        "instance",
        False,
        "least_squares",
    )
    assert (hp.lambda_a, hp.lambda_b, hp.lambda_identity, hp.pool_size) == (10.0, 10.0, 0.5, 50)
    assert (hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"], hp.n_epochs, hp.n_epochs_decay) == (
        2e-4,
        2e-4,
        (0.5, 0.999),
        100,
        100,
    )
    assert set(model.generator) == {"AtoB", "BtoA"} and set(model.discriminator) == {"A", "B"}


def test_generator_loss_is_lsgan_plus_cycle_plus_identity():
    torch.manual_seed(0)
    model = tiny(lambda_a=10.0, lambda_b=5.0, lambda_identity=0.5)
    batch = _batch()
    out = model.g_loss(batch)
    a, b = batch["A"], batch["B"]
    g, f = model.generator["AtoB"], model.generator["BtoA"]
    d_a, d_b = model.discriminator["A"], model.discriminator["B"]
    gan = ((d_b(g(a)) - 1) ** 2).mean() + ((d_a(f(b)) - 1) ** 2).mean()
    cycle = 10.0 * (f(g(a)) - a).abs().mean() + 5.0 * (g(f(b)) - b).abs().mean()
    # Identity: G should leave B alone (weighted with lambda_B), F should leave A alone (lambda_A).
    identity = 0.5 * (5.0 * (g(b) - b).abs().mean() + 10.0 * (f(a) - a).abs().mean())
    assert torch.allclose(out["g_gan"], gan, rtol=1e-5)
    assert torch.allclose(out["cycle_a"] + out["cycle_b"], cycle, rtol=1e-5)
    assert torch.allclose(out["idt_a"] + out["idt_b"], identity, rtol=1e-5)
    assert torch.allclose(out["loss"], gan + cycle + identity, rtol=1e-5)
    assert "idt_a" not in tiny(lambda_identity=0.0).g_loss(batch)


def test_discriminator_loss_is_halved_least_squares_on_pooled_fakes():
    torch.manual_seed(0)
    model = tiny(pool_size=0)  # no history: the fakes are this batch's
    batch = _batch()
    out = model.d_loss(batch)
    a, b = batch["A"], batch["B"]
    with torch.no_grad():
        fake_b, fake_a = model.generator["AtoB"](a), model.generator["BtoA"](b)
    d_a, d_b = model.discriminator["A"], model.discriminator["B"]
    loss_b = 0.5 * (((d_b(b) - 1) ** 2).mean() + (d_b(fake_b) ** 2).mean())
    loss_a = 0.5 * (((d_a(a) - 1) ** 2).mean() + (d_a(fake_a) ** 2).mean())
    assert torch.allclose(out["loss"], loss_a + loss_b, rtol=1e-5)


def test_discriminator_step_feeds_the_history_pools():
    model = tiny(pool_size=3)
    for _ in range(2):
        model.d_loss(_batch())
    assert len(model.pools["A"]) == len(model.pools["B"]) == 3


@pytest.mark.slow  # about 1 min on 2 cores; test_base checks exact resume in the fast suite
def test_resume_is_identical_to_an_uninterrupted_run_pools_included(tmp_path):
    def fit(max_epochs: int, ckpt: str | None = None) -> CycleGAN:
        torch.manual_seed(0)
        model = tiny(pool_size=4, net_g="unet_32", net_d="n_layers", n_layers_d=1)
        trainer = quiet_trainer(max_epochs=max_epochs, enable_checkpointing=True, default_root_dir=tmp_path)
        trainer.fit(model, loader(n=8, batch_size=2), ckpt_path=ckpt)
        if ckpt is None:
            trainer.save_checkpoint(tmp_path / f"epoch{max_epochs}.ckpt")
        return model

    straight = fit(2)
    fit(1)
    resumed = fit(2, str(tmp_path / "epoch1.ckpt"))
    for key, value in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], value, atol=1e-6, rtol=0, msg=key)
    for domain in "AB":
        pools = resumed.pools[domain].images, straight.pools[domain].images
        assert len(pools[0]) == 4 and all(torch.equal(x, y) for x, y in zip(*pools, strict=True))


def test_one_optimizer_over_both_generators_and_one_over_both_discriminators():
    model = tiny()
    opt_d, opt_g = model.configure_optimizers()[0]
    params = lambda opt: {id(p) for group in opt.param_groups for p in group["params"]}  # noqa: E731
    assert params(opt_g) == {id(p) for p in model.generator.parameters()}
    assert params(opt_d) == {id(p) for p in model.discriminator.parameters()}


def test_one_d_and_one_g_step_per_batch_and_all_four_networks_change():
    torch.manual_seed(0)
    model = tiny()
    before = {name: snapshot(net) for name, net in [*model.generator.items(), *model.discriminator.items()]}
    recorder = StepRecorder()
    quiet_trainer(max_steps=6, callbacks=[recorder]).fit(model, loader(n=6, batch_size=2))
    assert recorder.sequence == ["D", "G"] * 3 and all(recorder.other_frozen)
    nets = {**model.generator, **model.discriminator}
    assert all(changed(before[name], nets[name]) for name in before)


def test_identity_loss_needs_matching_channels():
    with pytest.raises(ValueError, match="lambda_identity=0"):
        tiny(in_channels=1, out_channels=3)
    assert tiny(in_channels=1, out_channels=3, lambda_identity=0.0).generator["BtoA"](
        torch.randn(1, 3, 32, 32)
    ).shape == (1, 1, 32, 32)


def test_generator_only_is_one_generator_translating_a_to_b():
    model = tiny(generator_only=True)
    assert model.discriminator is None and not any(k.startswith("discriminator") for k in model.state_dict())
    assert model.translate(torch.zeros(3, 32, 32)).shape == (3, 32, 32)
    with pytest.raises(ValueError, match="other direction"):
        model.translate(torch.zeros(3, 32, 32), "BtoA")


@pytest.mark.slow  # about 1 min; pix2pix learning stays in the fast suite
def test_tiny_cyclegan_cycle_loss_falls():
    """Reconstruction error F(G(a)) vs a and G(F(b)) vs b on held-out images falls within 60 updates.

    A U-Net generator and a one-layer PatchGAN keep this to seconds on a CPU; the objective is the paper's.
    """
    torch.manual_seed(0)
    model = tiny(net_g="unet_32", net_d="n_layers", n_layers_d=1, lr_g=3e-3, lr_d=3e-3)
    test = {"A": smooth_images(8, 32, seed=2), "B": smooth_images(8, 32, seed=3)}

    def cycle_l1() -> float:
        with torch.no_grad():
            g, f = model.generator["AtoB"], model.generator["BtoA"]
            a, b = test["A"], test["B"]
            return float(F.l1_loss(f(g(a)), a) + F.l1_loss(g(f(b)), b))

    before = cycle_l1()
    quiet_trainer(max_steps=2 * 60).fit(model, loader(n=32, batch_size=4))
    after = cycle_l1()
    assert after < 0.7 * before, (before, after)  # measured: 0.60 -> 0.33
