"""ACGAN: D's source and class heads, and the two-term objective L_S + L_C for D and L_C - L_S for G."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo.models import ACGAN
from ganzoo.nn.dcgan import DCGANDiscriminator
from ganzoo.nn.mlp import MLPDiscriminator

from .helpers import optimizer_of


def tiny(**kwargs) -> ACGAN:
    torch.manual_seed(0)
    return ACGAN(
        **{"data_shape": (2,), "num_classes": 4, "class_names": None, "latent_dim": 3, "hidden": (8,)}
        | kwargs
    )


def log_p(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log P(C = label | x), written out: logit of the label minus the log-sum-exp of all logits."""
    return logits.gather(1, labels[:, None]).squeeze(1) - logits.exp().sum(1).log()


def test_defaults_follow_the_paper() -> None:
    model = ACGAN()
    assert model.generator.net.net[0].in_channels == 100 + 10  # [z, one-hot class], as the paper's 110 inputs
    source, classes = model.discriminate(torch.randn(3, 1, 32, 32))
    assert source.shape == (3,) and classes.shape == (3, 10)
    hp = model.hparams
    assert (hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"], hp.loss, hp.class_weight) == (
        2e-4,
        2e-4,
        (0.5, 0.999),
        "nonsaturating",
        1.0,
    )
    assert model.sample(4, classes="3", seed=0).shape == (4, 1, 32, 32)


def test_extra_discriminator_outputs_leave_the_single_score_networks_unchanged() -> None:
    plain, two_heads = DCGANDiscriminator(16, 1, 8), DCGANDiscriminator(16, 1, 8, outputs=5)
    assert plain(torch.randn(2, 1, 16, 16)).shape == (2,)
    assert two_heads(torch.randn(2, 1, 16, 16)).shape == (2, 5)
    assert plain.state_dict().keys() == two_heads.state_dict().keys()  # old checkpoints still load
    assert MLPDiscriminator((2,), (4,))(torch.randn(3, 2)).shape == (3,)
    assert MLPDiscriminator((2,), (4,), outputs=5)(torch.randn(3, 2)).shape == (3, 5)


def test_d_loss_is_minus_ls_minus_lc_with_the_class_term_on_real_and_fake() -> None:
    model = tiny()
    real, labels = torch.randn(16, 2), torch.randint(4, (16,))
    torch.manual_seed(3)
    out = model.d_loss((real, labels))
    torch.manual_seed(3)
    y_fake = torch.randint(4, (16,))
    fake = model.generator(torch.randn(16, 3), y_fake)
    real_out, fake_out = model.discriminator(real), model.discriminator(fake)
    l_s = F.logsigmoid(real_out[:, 0]).mean() + F.logsigmoid(-fake_out[:, 0]).mean()
    l_c = log_p(real_out[:, 1:], labels).mean() + log_p(fake_out[:, 1:], y_fake).mean()
    torch.testing.assert_close(out["loss"], -(l_s + l_c))
    torch.testing.assert_close(out["d_class"], -l_c)
    torch.testing.assert_close(out["d_real_accuracy"], (real_out[:, 1:].argmax(1) == labels).float().mean())


def test_g_loss_is_minus_lc_plus_the_nonsaturating_source_term() -> None:
    model = tiny(class_weight=0.5)
    batch = (torch.randn(16, 2), torch.randint(4, (16,)))
    torch.manual_seed(4)
    out = model.g_loss(batch)
    torch.manual_seed(4)
    y = torch.randint(4, (16,))
    fake_out = model.discriminator(model.generator(torch.randn(16, 3), y))
    expected = -F.logsigmoid(fake_out[:, 0]).mean() - 0.5 * log_p(fake_out[:, 1:], y).mean()
    torch.testing.assert_close(out["loss"], expected)


def test_classify_reads_the_auxiliary_head_in_eval_mode() -> None:
    model = ACGAN(data_shape=(1, 16, 16), latent_dim=4, width=8)
    model.train()
    x = torch.randn(6, 1, 16, 16)
    predicted = model.classify(x)
    assert model.discriminator.training  # restored
    assert torch.equal(predicted, model.discriminator.eval()(x)[:, 1:].argmax(1))


def test_bad_data_shape_is_explained() -> None:
    with pytest.raises(
        ValueError, match=r"data_shape must be \(features,\) or square \(C, H, W\), got \(1, 16, 8\)"
    ):
        ACGAN(data_shape=(1, 16, 8))
