"""BigGAN-deep's parts on tiny configurations: truncation-indexed batch norm against the reference's,
training, standing statistics, the generator-only form and the inference copy."""

from __future__ import annotations

import pytest
import torch

from ganzoo.models import BigGANDeep
from ganzoo.nn.biggan_deep import (
    BigGANDeepDiscriminator,
    BigGANDeepGenerator,
    PointwiseConv,
    StandingBatchNorm,
)
from ganzoo.nn.spectral_norm import has_spectral_norm
from tests.models.helpers import changed, quiet_trainer, snapshot

ppb_model = pytest.importorskip("pytorch_pretrained_biggan.model")


def tiny(**kwargs) -> BigGANDeep:
    args = dict(image_size=32, num_classes=5, latent_dim=8, embed_dim=8, g_ch=8, d_ch=8, ema_decay=None)
    return BigGANDeep(**{**args, **kwargs})


@pytest.mark.parametrize("conditional", [True, False])
@pytest.mark.parametrize("truncation", [0.02, 0.4, 0.433, 0.5, 0.6, 0.011, 0.999, 1.0])
def test_standing_batch_norm_matches_pytorch_pretrained_biggan(conditional, truncation):
    """Same statistics (their interpolation between grid points included) and the same normalization."""
    torch.manual_seed(0)
    reference = ppb_model.BigGANBatchNorm(16, 6 if conditional else None, eps=1e-4, conditional=conditional)
    reference.eval()  # spectral norm from its stored vectors, as in the published models' forward
    ours = StandingBatchNorm(16, 6 if conditional else None, eps=1e-4).eval()
    with torch.no_grad():
        reference.running_means.normal_()
        reference.running_vars.uniform_(0.5, 2.0)
        if not conditional:
            reference.weight.normal_()
            reference.bias.normal_()
    state = reference.state_dict()
    if conditional:
        state = {k.replace("scale.", "gain.").replace("offset.", "bias."): v for k, v in state.items()}
    ours.load_state_dict(state)
    x, cond = torch.randn(3, 16, 4, 4), torch.randn(3, 6)
    with torch.no_grad():
        expected = reference(x, truncation, cond if conditional else None)
        got = ours(x, truncation, cond if conditional else None)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_statistics_off_the_grid_weight_the_neighbours_as_published():
    bn = StandingBatchNorm(1, n_stats=51)
    bn.running_means.copy_(torch.arange(51.0)[:, None])
    mean, _ = bn.statistics(0.433)  # 0.433 / 0.02 = 21.65: 0.65 * stats[21] + 0.35 * stats[22]
    assert mean.item() == pytest.approx(0.65 * 21 + 0.35 * 22)
    assert bn.statistics(None)[0].item() == 50.0  # untruncated z: truncation 1's statistics
    with pytest.raises(ValueError, match=r"truncation must be in \(0, 1\]"):
        bn.statistics(1.5)


def test_training_updates_both_networks_and_every_statistics_slot():
    model = tiny()
    images, labels = torch.rand(8, 3, 32, 32) * 2 - 1, torch.randint(5, (8,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=4)
    g, d = snapshot(model.generator), snapshot(model.discriminator)
    quiet_trainer(max_steps=4).fit(model, loader)
    assert int(model.num_g_steps) >= 1 and int(model.num_d_steps) >= 1
    assert changed(g, model.generator) and changed(d, model.discriminator)
    stats = model.generator.blocks[0].bn1.running_means
    assert stats.abs().sum() > 0 and torch.equal(stats[0], stats[-1])  # untruncated: every slot alike


def test_standing_statistics_measure_each_truncation():
    torch.manual_seed(0)
    model = tiny(generator_only=True, g_ch=4)
    bn = model.generator.blocks[0].bn1
    untouched = bn.running_vars[10].clone()
    model.accumulate_standing_stats(num_batches=2, batch_size=256, slots=[0, 50])
    model.accumulate_standing_stats(num_batches=2, batch_size=256, truncation=0.5)  # slot 25 alone
    assert torch.equal(bn.running_vars[10], untouched)
    inputs = []
    hook = bn.register_forward_pre_hook(lambda m, args: inputs.append(args[0]))
    model.sample(512, truncation=0.5, seed=1)
    hook.remove()
    fresh_var = inputs[0].var(dim=(0, 2, 3))
    torch.testing.assert_close(bn.running_vars[25], fresh_var, rtol=0.15, atol=0.0)
    # z's share of the variance grows with the truncation; at truncation 0 (z = 0) only the class varies.
    assert bn.running_vars[0].mean() < bn.running_vars[25].mean() < bn.running_vars[50].mean()
    with pytest.raises(ValueError, match=r"slots must be in \[0, 51\)"):
        model.accumulate_standing_stats(slots=[51])


def test_generator_only_samples_but_refuses_to_train():
    model = tiny(generator_only=True)
    assert not any(k.startswith("discriminator.") for k in model.state_dict())
    assert model.sample(2, classes=[0, 4], truncation=0.5, seed=0).shape == (2, 3, 32, 32)
    with pytest.raises(RuntimeError, match="without generator_only to train"):
        model.configure_optimizers()


def test_inference_copy_is_exact_follows_the_model_and_leaves_training_alone():
    torch.manual_seed(0)
    model = tiny(generator_only=True).eval()
    z, labels = torch.randn(3, 8) * 0.5, torch.tensor([0, 1, 4])
    before = model.sample(3, z=z, classes=labels, truncation=0.5)
    model.optimize_for_inference()
    fast = model._inference_generator
    assert fast is not None and not has_spectral_norm(fast.output_conv)
    torch.testing.assert_close(
        model.sample(3, z=z, classes=labels, truncation=0.5), before, atol=1e-5, rtol=0
    )
    model.double()
    assert fast.output_conv.weight.dtype == torch.float64
    assert model.sample(3, z=z, classes=labels, truncation=0.5).dtype == torch.float64
    # New weights (here: another state dict) are picked up: the copy is remade, not reused stale.
    other = tiny(generator_only=True).double().eval()
    model.load_state_dict(other.state_dict())
    torch.testing.assert_close(
        model.sample(3, z=z.double(), classes=labels, truncation=0.5),
        other.sample(3, z=z.double(), classes=labels, truncation=0.5),
        atol=1e-6,
        rtol=0,
    )
    assert model._inference_generator is not fast
    model.train()
    assert model._inference_generator is None and has_spectral_norm(model.generator.output_conv)


def test_networks_refuse_sizes_they_do_not_define():
    with pytest.raises(ValueError, match="no architecture for 48"):
        BigGANDeepGenerator(48)
    with pytest.raises(ValueError, match="no architecture for 512"):
        BigGANDeepDiscriminator(512)
    d = BigGANDeepDiscriminator(32, num_classes=5, channel_width=4)
    assert d(torch.randn(2, 3, 32, 32), torch.tensor([0, 3])).shape == (2,)


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
def test_pointwise_conv_is_the_1x1_convolution(memory_format):
    conv = torch.nn.Conv2d(6, 5, 1)
    x = torch.randn(2, 6, 3, 4).contiguous(memory_format=memory_format)
    torch.testing.assert_close(PointwiseConv(conv)(x), conv(x))
    with pytest.raises(ValueError, match="plain 1x1"):
        PointwiseConv(torch.nn.Conv2d(6, 5, 3))
