"""SAGAN: TTUR with 1:1 steps, spectral norm in both networks, self-attention where configured."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import ganzoo
from ganzoo.models import SAGAN
from ganzoo.nn.attention import SelfAttention
from ganzoo.nn.spectral_norm import fold_spectral_norm, has_spectral_norm

from .helpers import StepRecorder, changed, optimizer_of, quiet_trainer, snapshot


def tiny(**kwargs) -> SAGAN:
    return SAGAN(latent_dim=8, g_channels=16, d_channels=16, **kwargs)


def attention_sizes(net: nn.Module, *inputs: torch.Tensor) -> list[int]:
    """The spatial size of the feature map each SelfAttention block sees in one forward."""
    sizes: list[int] = []
    hooks = [
        m.register_forward_pre_hook(lambda module, args: sizes.append(args[0].shape[-1]))
        for m in net.modules()
        if isinstance(m, SelfAttention)
    ]
    net(*inputs)
    for h in hooks:
        h.remove()
    return sizes


def test_defaults_follow_the_paper() -> None:
    model = SAGAN()
    hp = model.hparams
    assert (hp.loss, model.d_steps, hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"]) == (
        "hinge",
        1,
        1e-4,
        4e-4,
        (0.0, 0.9),
    )
    assert model.num_classes == 10 and model.discriminator.head.embed is not None
    for net in (model.generator, model.discriminator):
        layers = [m for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
        assert layers and all(has_spectral_norm(m) for m in layers)


def test_attention_sits_at_the_configured_resolution() -> None:
    torch.manual_seed(0)
    z, y = torch.randn(2, 8), torch.tensor([1, 2])
    model = tiny()
    assert attention_sizes(model.generator, z, y) == [16]
    assert attention_sizes(model.discriminator, torch.randn(2, 3, 32, 32), y) == [16]
    at8 = tiny(attention_at=8)
    assert attention_sizes(at8.generator, z, y) == [8]
    assert attention_sizes(at8.discriminator, torch.randn(2, 3, 32, 32), y) == [8]
    assert attention_sizes(tiny(attention_at=None).generator, z, y) == []
    with pytest.raises(ValueError, match="attention_at=32"):
        tiny(attention_at=32)  # D has no 32x32 stage


def test_trains_one_to_one_and_learns_to_attend() -> None:
    torch.manual_seed(0)
    model = tiny()
    g_before, d_before = snapshot(model.generator), snapshot(model.discriminator)
    recorder = StepRecorder()
    data = TensorDataset(torch.rand(16, 3, 32, 32) * 2 - 1, torch.randint(10, (16,)))
    quiet_trainer(max_steps=8, callbacks=[recorder]).fit(model, DataLoader(data, batch_size=4))
    assert recorder.sequence == ["D", "G"] * 4
    assert all(recorder.other_frozen)
    assert changed(g_before, model.generator) and changed(d_before, model.discriminator)
    gammas = [m.gamma.item() for m in model.modules() if isinstance(m, SelfAttention)]
    assert len(gammas) == 2 and all(g != 0.0 for g in gammas), "attention gains got no gradient"


def test_folded_generator_samples_the_same_images() -> None:
    torch.manual_seed(0)
    model = tiny()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, SelfAttention):
                m.gamma.fill_(0.5)
    before = model.sample(3, classes=[0, 4, 9], seed=0)
    fold_spectral_norm(model.generator)
    assert not any(has_spectral_norm(m) for m in model.generator.modules())
    torch.testing.assert_close(model.sample(3, classes=[0, 4, 9], seed=0), before, rtol=0, atol=1e-5)


def test_save_pretrained_round_trip_keeps_the_spectral_norm_state(tmp_path) -> None:
    torch.manual_seed(0)
    model = tiny()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))  # gamma != 0, classes' BN affines differ
    model.save_pretrained(tmp_path)
    loaded = ganzoo.load(tmp_path)
    assert type(loaded) is SAGAN
    assert "generator.l1.weight_u" in loaded.state_dict()
    torch.testing.assert_close(
        loaded.sample(2, classes=[3, 7], seed=0), model.sample(2, classes=[3, 7], seed=0), rtol=0, atol=0
    )
