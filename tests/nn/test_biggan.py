"""BigGAN's networks: the authors' architecture tables, hierarchical latents, shared embedding, attention."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganzoo.nn.biggan import (
    BigGANDiscriminator,
    BigGANGenerator,
    DBlock,
    generator_resolutions,
    init_weights_,
)
from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d


def tiny_g(image_size: int = 32, **kwargs) -> BigGANGenerator:
    args = dict(image_size=image_size, num_classes=5, latent_dim=40, ch=8, shared_dim=16, attention=())
    return BigGANGenerator(**{**args, **kwargs})


@pytest.mark.parametrize("size", [32, 64, 128, 256])
def test_every_resolution_maps_z_and_labels_to_images_and_back_to_scores(size: int) -> None:
    torch.manual_seed(0)
    blocks = len(generator_resolutions(size))
    g = tiny_g(size, latent_dim=20 * (blocks + 1), ch=4 if size == 256 else 8)
    d = BigGANDiscriminator(size, num_classes=5, ch=4 if size == 256 else 8, attention=())
    y = torch.tensor([0, 4])
    x = g(torch.randn(2, g.latent_dim), y)
    assert x.shape == (2, 3, size, size) and x.abs().max() <= 1
    assert d(x, y).shape == (2,)


def test_channel_widths_follow_the_authors_tables_at_128() -> None:
    g = BigGANGenerator(128, num_classes=3, ch=2, shared_dim=4, latent_dim=12, attention=())
    assert [b.conv1.weight_orig.shape[:2] for b in g.blocks] == [
        (32, 32),
        (16, 32),
        (8, 16),
        (4, 8),
        (2, 4),
    ]  # G_arch[128]: in 16,16,8,4,2 / out 16,8,4,2,1 (x ch)
    assert g.linear.weight_orig.shape == (32 * 16, 2)  # 4x4 x 16ch from one of 6 z chunks
    assert g.output_conv.weight_orig.shape == (3, 2, 3, 3)
    d = BigGANDiscriminator(128, num_classes=3, ch=8, attention=(64,))
    outs = [b.conv2.weight_orig.shape[0] for b in d.blocks]
    assert outs == [8, 16, 32, 64, 128, 128]  # D_arch[128]: 1,2,4,8,16,16 (x ch)
    assert [b.downsample for b in d.blocks] == [True] * 5 + [False]
    assert [b.preactivation for b in d.blocks] == [False] + [True] * 5
    assert d.blocks[-1].conv_sc is None  # same width, no pooling: identity shortcut


def test_attention_sits_after_the_64x64_block_in_both_networks() -> None:
    g = BigGANGenerator(128, num_classes=3, ch=8, shared_dim=4, latent_dim=12, attention=(64,))
    d = BigGANDiscriminator(128, num_classes=3, ch=8, attention=(64,))
    assert list(g.attentions) == ["3"] and list(d.attentions) == ["0"]
    seen = []
    for att in (g.attentions["3"], d.attentions["0"]):
        att.register_forward_pre_hook(lambda m, args: seen.append(tuple(args[0].shape[1:])))
    y = torch.tensor([1])
    d(g(torch.randn(1, 12), y), y)
    assert seen == [(16, 64, 64), (8, 64, 64)]


def test_hierarchical_latents_feed_one_chunk_per_block() -> None:
    torch.manual_seed(0)
    g = tiny_g().eval()  # 3 blocks + the input: 4 chunks of 10
    assert g.chunk == 10
    inputs = []
    g.blocks[-1].register_forward_pre_hook(lambda m, args: inputs.append(args[0].clone()))
    z, y = torch.randn(2, 40), torch.tensor([1, 2])
    base = g(z, y)
    z_last = z.clone()
    z_last[:, 30:] += 1.0  # the last block's chunk
    changed = g(z_last, y)
    torch.testing.assert_close(inputs[1], inputs[0])  # nothing before the last block saw it
    assert not torch.allclose(changed, base)
    z_first = z.clone()
    z_first[:, :10] += 1.0  # the linear layer's chunk
    g(z_first, y)
    assert not torch.allclose(inputs[2], inputs[0])


def test_shared_embedding_concatenated_with_a_chunk_conditions_every_batch_norm() -> None:
    g = tiny_g()
    assert isinstance(g.shared, nn.Embedding) and not hasattr(g.shared, "weight_orig")  # no SN on it
    cbns = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert len(cbns) == 6
    assert all(m.gain.weight_orig.shape[1] == 16 + 10 for m in cbns)
    flat = tiny_g(hier=False)
    assert flat.linear.weight_orig.shape[1] == 40
    assert all(
        m.gain.weight_orig.shape[1] == 16 for m in flat.modules() if isinstance(m, ConditionalBatchNorm2d)
    )


def test_without_shared_embedding_each_batch_norm_has_class_tables() -> None:
    g = tiny_g(shared_dim=0, hier=False, latent_dim=32)
    assert g.shared is None
    cbns = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert all(isinstance(m.gain, nn.Embedding) and m.gain.num_embeddings == 5 for m in cbns)
    y = torch.tensor([0, 1])
    assert g(torch.randn(2, 32), y).shape == (2, 3, 32, 32)


def test_labels_change_the_discriminator_score_through_the_projection() -> None:
    torch.manual_seed(0)
    d = BigGANDiscriminator(32, num_classes=5, ch=8, attention=()).eval()
    x = torch.randn(2, 3, 32, 32)
    assert not torch.allclose(d(x, torch.tensor([0, 0])), d(x, torch.tensor([3, 3])))


def test_dblock_shortcut_pools_before_the_conv_only_in_the_first_block() -> None:
    torch.manual_seed(0)
    for pre in (False, True):
        block = DBlock(3, 4, downsample=True, preactivation=pre)
        x = torch.randn(1, 3, 4, 4)
        pool = torch.nn.functional.avg_pool2d
        expected = pool(block.conv_sc(x), 2) if pre else block.conv_sc(pool(x, 2))
        block.eval()
        torch.testing.assert_close(block.shortcut(x), expected)


def test_initialisations() -> None:
    torch.manual_seed(0)
    g = tiny_g(init="N02")
    w = g.blocks[0].conv1.weight_orig
    assert abs(w.std().item() - 0.02) < 0.003
    init_weights_(g, "ortho")
    w = g.linear.weight_orig.detach()  # (512, 10): orthonormal columns
    torch.testing.assert_close(w.t() @ w, torch.eye(10), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="unknown init"):
        init_weights_(g, "kaiming")


def test_bad_configurations_are_explained() -> None:
    with pytest.raises(ValueError, match="image sizes"):
        tiny_g(48)
    with pytest.raises(ValueError, match="4 equal chunks"):
        tiny_g(latent_dim=42)
    with pytest.raises(ValueError, match="shared_dim"):
        tiny_g(shared_dim=0)
    with pytest.raises(ValueError, match=r"attention resolution\(s\) \[12\]"):
        tiny_g(attention=(12,))
    with pytest.raises(ValueError, match=r"z of shape \(N, 40\)"):
        tiny_g()(torch.randn(2, 30), torch.tensor([0, 1]))


def test_parameter_counts_match_the_original_biggan_at_128() -> None:
    """google/compare_gan's resnet_biggan_test.py pins the original (TF) BigGAN 128 networks' sizes:
    70,433,988 weights in G and 87,982,370 in D (ch 96, z 120, shared embedding 128, 1000 classes)."""
    g = BigGANGenerator(128, 1000, 120, 96, 128, True, (64,), init=None)
    d = BigGANDiscriminator(128, 1000, 96, (64,), init=None)
    assert sum(p.numel() for p in g.parameters()) == 70_433_988
    assert sum(p.numel() for p in d.parameters()) == 87_982_370


def test_class_vectors_mix_the_shared_embeddings() -> None:
    torch.manual_seed(0)
    g = tiny_g().eval()
    z, onehot = torch.randn(2, 40), torch.eye(5)[[1, 3]]
    torch.testing.assert_close(g(z, onehot), g(z, torch.tensor([1, 3])))
    mix = 0.25 * torch.eye(5)[1] + 0.75 * torch.eye(5)[3]
    torch.testing.assert_close(
        g.class_embedding(mix[None]), 0.25 * g.shared.weight[1:2] + 0.75 * g.shared.weight[3:4]
    )
    assert g.accepts_class_vectors and not tiny_g(shared_dim=0, hier=False).accepts_class_vectors
    with pytest.raises(ValueError, match=r"class vectors must have shape \(N, 5\)"):
        g(z, torch.ones(2, 4))
    with pytest.raises(ValueError, match="label indices"):
        tiny_g(shared_dim=0, hier=False, latent_dim=32)(torch.randn(2, 32), onehot)
