"""BigGAN-deep against the code the published weights run in: ``pytorch-pretrained-biggan``, built offline
with random weights. Same weights in, through our converter and ``ganzoo.load``, must give the same images."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

import ganzoo
from ganzoo.hub.build import check_state_dict
from ganzoo.hub.catalog import CATALOG, URL
from ganzoo.hub.convert.biggan_pytorch import model_state
from ganzoo.hub.convert.pytorch_pretrained_biggan import generator_state
from ganzoo.models import BigGANDeep
from ganzoo.nn.spectral_norm import has_spectral_norm

ppb = pytest.importorskip("pytorch_pretrained_biggan")
from pytorch_pretrained_biggan.convert_tf_to_pytorch import BigGAN256, BigGAN512  # noqa: E402


@torch.no_grad()
def randomise(reference: torch.nn.Module, seed: int = 0) -> None:
    """Weights whose images are meaningful to compare: spectral norm's vectors converged (torch's are random
    at init, so sigma could be ~0 and blow activations up), batch-norm statistics differing per truncation,
    a non-zero attention gain and affine output BN."""
    g = torch.Generator().manual_seed(seed)
    for m in reference.modules():
        if hasattr(m, "weight_orig"):
            w = m.weight_orig.reshape(m.weight_orig.shape[0], -1)
            u = m.weight_u
            for _ in range(30):
                v = F.normalize(w.t() @ u, dim=0)
                u = F.normalize(w @ v, dim=0)
            m.weight_u.copy_(u)
            m.weight_v.copy_(v)
    for name, buffer in reference.named_buffers():
        if name.endswith("running_means"):
            buffer.copy_(torch.randn(buffer.shape, generator=g) * 0.5)
        elif name.endswith("running_vars"):
            buffer.copy_(torch.rand(buffer.shape, generator=g) * 1.5 + 0.5)
    for name, p in reference.named_parameters():
        if name.endswith("gamma"):
            p.fill_(0.7)
        elif name in ("generator.bn.weight", "generator.bn.bias"):
            p.copy_(torch.randn(p.shape, generator=g) * 0.1 + (1.0 if name.endswith("weight") else 0.0))


@pytest.fixture(scope="module")
def reference() -> torch.nn.Module:
    torch.manual_seed(0)
    model = ppb.BigGAN(ppb.BigGANConfig()).eval()  # the 128x128 configuration
    randomise(model)
    return model


@pytest.fixture(scope="module")
def ours(reference, tmp_path_factory) -> BigGANDeep:
    """The reference's weights saved as its pytorch_model.bin, loaded by a catalog entry pointing at it."""
    folder = tmp_path_factory.mktemp("biggan-deep")
    weights = folder / "pytorch_model.bin"
    torch.save(reference.state_dict(), weights)
    entry = dataclasses.replace(
        CATALOG["biggan-deep-128"], name="biggan-deep-128-random", sources=(URL(weights.as_uri()),)
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANZOO_CACHE", str(folder / "cache"))
        mp.setitem(CATALOG, entry.name, entry)
        with pytest.warns(UserWarning, match="published without a checksum"):
            return ganzoo.load(entry.name)


def reference_images(reference, z, labels, truncation) -> torch.Tensor:
    with torch.no_grad():
        return reference(z, F.one_hot(labels, 1000).float(), truncation)


def noise(n: int, truncation: float, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return truncation * torch.nn.init.trunc_normal_(torch.empty(n, 128), a=-2, b=2, generator=g)


@pytest.mark.parametrize(("truncation", "batch"), [(0.4, 1), (1.0, 1), (0.433, 4)])
def test_same_images_as_pytorch_pretrained_biggan(reference, ours, truncation, batch):
    z = noise(batch, truncation, seed=batch)
    labels = torch.tensor([207, 0, 999, 531][:batch])
    expected = reference_images(reference, z, labels, truncation)
    assert expected.std() > 0.05 and expected.abs().max() < 0.99  # a real image range, not saturated
    with torch.no_grad():
        got = ours.generator.eval()(z, labels, truncation)
    assert (got - expected).abs().max().item() <= 1e-5


def test_truncation_selects_different_statistics(reference, ours):
    """The comparison above is sharp: statistics of neighbouring truncations give visibly different images,
    and 0.433 (off the 0.02 grid) is neither of its neighbours."""
    z, labels = noise(1, 0.44, seed=5), torch.tensor([1])
    with torch.no_grad():
        images = {t: ours.generator.eval()(z, labels, t) for t in (0.42, 0.433, 0.44)}
    assert (images[0.42] - images[0.44]).abs().max() > 1e-3
    assert (images[0.433] - images[0.42]).abs().max() > 1e-4
    assert (images[0.433] - images[0.44]).abs().max() > 1e-4


def test_optimised_inference_path_matches_the_reference(reference, ours):
    assert ours._inference_generator is not None  # ganzoo.load prepared it
    z, labels = noise(4, 0.5, seed=1), torch.tensor([3, 207, 500, 999])
    expected = reference_images(reference, z, labels, 0.5)
    got = ours.sample(4, z=z, classes=labels, truncation=0.5)
    assert (got - expected).abs().max().item() <= 1e-4
    # It is a separate, frozen copy: the trainable generator keeps spectral norm and its output conv.
    assert has_spectral_norm(ours.generator.output_conv)
    assert not has_spectral_norm(ours._inference_generator.output_conv)
    assert ours._inference_generator.output_conv.weight.shape[0] == 3
    assert ours.generator.output_conv.weight_orig.shape[0] == 128


def test_sample_by_class_name_and_truncation(reference, ours):
    images = ours.sample(2, classes="golden retriever", truncation=0.4, seed=0)
    rng = torch.Generator().manual_seed(0)
    z = ours.sample_latent(2, generator=rng, truncation=0.4)
    assert z.abs().max() <= 0.8  # truncation 0.4 of a normal truncated to [-2, 2]
    expected = reference_images(reference, z, torch.tensor([207, 207]), 0.4)
    assert images.shape == (2, 3, 128, 128)
    assert (images - expected).abs().max().item() <= 1e-4
    assert ours.resolve_classes("golden retriever", 2).tolist() == [207, 207]


def test_soft_class_vectors_mix_embeddings_like_the_reference(reference, ours):
    """The reference takes class vectors; a 50/50 mix of two classes goes through our G the same way."""
    z, mix = noise(1, 0.6, seed=2), torch.zeros(1, 1000)
    mix[0, 207] = mix[0, 1] = 0.5
    with torch.no_grad():
        expected = reference(z, mix, 0.6)
        got = ours.generator.eval()(z, mix, 0.6)
    assert (got - expected).abs().max().item() <= 1e-5


@pytest.mark.parametrize("config", [BigGAN256, BigGAN512], ids=["256", "512"])
def test_256_and_512_convert_key_for_key_and_shape_for_shape(config):
    with torch.device("meta"):
        reference = ppb.BigGAN(config)
        model = BigGANDeep(**CATALOG[f"biggan-deep-{config.output_dim}"].init_args)
    init_args = CATALOG[f"biggan-deep-{config.output_dim}"].init_args
    state = model_state(generator_state(reference.state_dict()), init_args)
    check_state_dict(model, state, f"biggan-deep-{config.output_dim} (meta)")
    assert len(state) == len(model.state_dict())
    assert model.generator.linear.weight_orig.shape == (16 * 128 * 16, 256)


def test_tf_layout_of_the_first_linear_layer_is_permuted_not_reshaped():
    """Row (h, w, c) of the TF-ordered linear layer becomes our row (c, h, w), and sigma is unchanged."""
    channels = 8
    w = torch.randn(16 * channels, 6)
    reference = {
        "embeddings.weight": torch.randn(6 // 2, 10),
        "generator.gen_z.weight_orig": w,
        "generator.gen_z.weight_u": F.normalize(torch.randn(16 * channels), dim=0),
        "generator.gen_z.weight_v": F.normalize(torch.randn(6), dim=0),
        "generator.gen_z.bias": torch.arange(16 * channels, dtype=torch.float),
    }
    out = generator_state(reference)
    c, h, x = 5, 2, 3
    assert torch.equal(out["linear.weight_orig"][c * 16 + h * 4 + x], w[(h * 4 + x) * channels + c])
    assert out["linear.bias"][c * 16 + h * 4 + x] == (h * 4 + x) * channels + c
    sigma = torch.dot(out["linear.weight_u"], out["linear.weight_orig"] @ out["linear.weight_v"])
    ref_sigma = torch.dot(reference["generator.gen_z.weight_u"], w @ reference["generator.gen_z.weight_v"])
    assert math.isclose(sigma.item(), ref_sigma.item(), rel_tol=1e-5)
    assert torch.equal(out["embed.weight"], reference["embeddings.weight"].t())


def test_unknown_keys_are_refused_by_name():
    reference = ppb.BigGAN(
        ppb.BigGANConfig(layers=[(True, 2, 1)], channel_width=8, attention_layer_position=9)
    )
    state = reference.state_dict()
    state["generator.extra.weight"] = torch.zeros(1)
    with pytest.raises(ValueError, match=r"generator\.extra\.weight"):
        generator_state(state)
