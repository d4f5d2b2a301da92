"""The Lucic et al. 2018 harness without its hours of training: the study's settings, the target, the table
(only measured numbers, one section per protocol) and the released folder of a run's best generator."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import sys
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.data import MNIST
from ganzoo.hub.checkpoint_io import PickleFreeCheckpointIO
from ganzoo.metrics import GenerativeMetrics, evaluate
from ganzoo.metrics.stats import reference_stats

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "lucic2018.py"


@pytest.fixture(scope="module")
def lucic():
    spec = importlib.util.spec_from_file_location("lucic2018_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def fake_row(lucic, protocol, model: str, phase: str, index: int, fid: float) -> dict:
    return {
        "id": lucic.row_id(protocol, model, phase, index),
        "phase": phase,
        "index": index,
        "protocol": {"name": protocol.name, **{k: v for k, v in vars(protocol).items() if k != "name"}},
        "model": model,
        "seed": index,
        "setting": {"learning_rate": 1e-4},
        "fid": fid,
        "best_epoch": protocol.epochs,
        "precision": 0.7,
        "recall": 0.6,
        "density": 0.9,
        "coverage": 0.8,
        "fid_by_epoch": {str(protocol.epochs): fid},
        "cpu_minutes": 100.0,
        "wall_minutes": 60.0,
        "metric_protocol": {"num_samples": protocol.num_samples},
    }


def test_the_first_setting_is_the_cards_and_the_draws_are_seeded_and_in_the_studys_ranges(lucic) -> None:
    trials = lucic.settings("wgan_gp", 6)
    assert trials[0] is None and trials == lucic.settings("wgan_gp", 6)
    for s in trials[1:]:
        assert 1e-5 <= s["learning_rate"] <= 1e-2 and 0 <= s["beta1"] <= 1
        assert s["disc_iters"] in (1, 5) and 0.1 <= s["lambda"] <= 100
    _, args, used = lucic.init_args("ns_gan", None)
    assert used == {"learning_rate": 5e-5, "beta1": 0.0, "batchnorm": True, "disc_iters": 1}
    assert (args["lr_g"], args["lr_d"], args["d_norm"], args["architecture"]) == (
        5e-5,
        5e-5,
        "batch",
        "lucic2018",
    )


def test_the_target_is_two_std_or_a_quarter_of_the_mean_whichever_is_wider(lucic) -> None:
    assert lucic.verdict("ns_gan", 6.8 + 1.6) == "yes"  # 25% of 6.8 = 1.7 is wider than 2 * 0.5
    assert lucic.verdict("ns_gan", 6.8 + 1.8).startswith("no: +1.8 (above")
    assert lucic.verdict("wgan_gp", 20.3 + 9.9) == "yes"  # 2 * 5.0 is wider than 25% of 20.3
    assert lucic.verdict("wgan_gp", 20.3 - 10.2).startswith("no: -10.2 (below")


def test_the_table_shows_only_measured_numbers_per_protocol(lucic, tmp_path) -> None:
    two = lucic.TWO_CHECKPOINTS
    rows = [
        fake_row(lucic, two, "ns_gan", "search", 0, 7.94),
        fake_row(lucic, two, "ns_gan", "search", 1, 9.1),
    ]
    md = tmp_path / "t.md"
    lucic.write_markdown(md, rows)
    text = md.read_text()
    sections = text.split("\n## ")
    full = next(s for s in sections if s.startswith("Full protocol"))
    assert "| NS GAN | 6.8 +- 0.5 | pending |" in full, "nothing measured under the full protocol"
    two_section = next(s for s in sections if s.startswith("Full training, FID at two checkpoints"))
    line = next(li for li in two_section.splitlines() if li.startswith("| NS GAN"))
    assert "| 7.94 | pending | 2 | 0 | 0.700 | 0.600 | 0.900 | 0.800 | 200.0 | yes |" in line
    assert "| MM GAN | 9.8 +- 0.9 | pending |" in two_section
    assert not any(s.startswith("Smoke run") for s in sections), "no smoke rows, no smoke section"


def test_a_release_is_the_sampling_form_that_ganzoo_load_reads(lucic, tmp_path) -> None:
    cls, args, _ = lucic.init_args("ns_gan", None)
    torch.manual_seed(0)
    module = cls(**args).eval()
    row = fake_row(lucic, lucic.TWO_CHECKPOINTS, "ns_gan", "search", 0, 7.94)
    folder = tmp_path / lucic.release_name("ns_gan")
    lucic.release(module, row, folder)
    assert folder.name == "lucic-ns-gan-mnist"
    config = json.loads((folder / "config.json").read_text())
    assert config["init_args"]["generator_only"] is True
    loaded = ganzoo.load(folder)
    assert loaded.discriminator is None
    torch.testing.assert_close(loaded.sample(8, seed=0), module.sample(8, seed=0), atol=2e-2, rtol=0)
    card = (folder / "README.md").read_text()
    assert "| FID | 7.94 |" in card and 'ganzoo.load("lucic-ns-gan-mnist")' in card


def test_screening_trains_only_the_best_screened_setting_under_the_full_protocol(
    lucic, tmp_path, monkeypatch
) -> None:
    """``--screen``: every setting under the screen protocol, then the winner alone under ``--protocol``, and
    a second start measures nothing again."""
    screen_fid = {0: 30.0, 1: 12.0, 2: 50.0}  # setting 1 wins the screening
    calls = []

    def fake_run(model, setting, seed, protocol, reference, args, checkpoints):
        index = lucic.settings(model, 3).index(setting)
        calls.append((protocol.name, index))
        fid = screen_fid[index] if protocol is lucic.SCREEN else 8.0
        row = fake_row(lucic, protocol, model, "search", index, fid)
        keep = ("model", "seed", "fid", "best_epoch", "precision", "recall", "density", "coverage")
        result = {k: row[k] for k in keep} | {"setting": setting or {}, "cpu_minutes": 10.0}
        module = torch.nn.Module()
        module.sample = lambda n, seed: torch.zeros(n, 1, 4, 4)
        return result | {"fid_by_epoch": {}, "wall_minutes": 1.0, "metric_protocol": {}, "module": module}

    monkeypatch.setattr(lucic, "run", fake_run)
    monkeypatch.setattr(lucic, "reference_stats", lambda *a, **k: None)
    monkeypatch.setattr(lucic, "release", lambda module, row, folder: calls.append(("release", folder.name)))
    (tmp_path / "t10k-images-idx3-ubyte").touch()
    argv = ["lucic2018.py", "--data-dir", str(tmp_path), "--results", str(tmp_path / "results")]
    argv += [
        "--models",
        "ns_gan",
        "--trials",
        "3",
        "--restarts",
        "0",
        "--screen",
        "--protocol",
        "two-checkpoints",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    lucic.main()
    assert calls == [
        ("screen", 0),
        ("screen", 1),
        ("screen", 2),
        ("two-checkpoints", 1),
        ("release", "lucic-ns-gan-mnist"),
    ]
    lucic.main()  # resumes: everything is measured already
    assert len(calls) == 5
    text = (tmp_path / "results" / "lucic2018_mnist.md").read_text()
    two = next(s for s in text.split("\n## ") if s.startswith("Full training, FID at two checkpoints"))
    line = next(li for li in two.splitlines() if li.startswith("| NS GAN"))
    assert "| 8.00 | pending | 1 (the best of 3 screened) |" in line
    assert "| 40.0 | yes |" in line, "the screening's CPU minutes count"
    screen = next(s for s in text.split("\n## ") if s.startswith("Screening"))
    assert "| NS GAN | 6.8 +- 0.5 | 12.0 | pending | 3 | 0 |" in screen and "| n/a |" in screen


def test_a_stopped_run_resumes_after_its_last_finished_epoch(lucic, mnist_dir, tmp_path, monkeypatch) -> None:
    """A run stopped after epoch 1 goes on at epoch 2: epoch 1 is neither trained nor scored again, its score
    and the time spent on it are kept."""
    torch.manual_seed(0)
    tiny = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    monkeypatch.setattr(lucic, "GenerativeMetrics", functools.partial(GenerativeMetrics, extractor=tiny))
    scored = []
    monkeypatch.setattr(lucic, "evaluate", lambda *a, **k: scored.append(1) or evaluate(*a, **k))
    mnist = MNIST(data_dir=mnist_dir, image_size=28, download=False)
    reference = reference_stats(
        mnist, "test", extractor=tiny, num_samples=16, kid_features=16, cache_dir=tmp_path / "ref"
    )
    args = argparse.Namespace(data_dir=mnist_dir, accelerator="cpu")
    checkpoints = tmp_path / "checkpoints"

    def protocol(epochs: int):
        return lucic.Protocol("test", epochs=epochs, batches_per_epoch=1, eval_every=1, num_samples=16)

    class Stopped(Exception):
        pass

    def stop_at_epoch_2(self, trainer, module) -> None:
        if trainer.current_epoch == 1:
            raise Stopped  # the process dies while epoch 2 runs

    with monkeypatch.context() as patch:
        patch.setattr(lucic.Scorer, "on_train_epoch_start", stop_at_epoch_2, raising=False)
        with pytest.raises(Stopped):
            lucic.run("ns_gan", None, 0, protocol(2), reference, args, checkpoints)
    assert (checkpoints / "last.ckpt").is_file(), "the state of epoch 1 was written when epoch 1 ended"
    assert len(scored) == 1
    state = PickleFreeCheckpointIO().load_checkpoint(checkpoints / "last.ckpt")
    assert state["epoch"] == 0 and "Scorer" in state["callbacks"]
    (epoch_1,) = state["callbacks"]["Scorer"]["scores"]
    resumed = lucic.run("ns_gan", None, 0, protocol(2), reference, args, checkpoints)
    assert len(scored) == 2, "only epoch 2 was scored after the resume"
    assert list(resumed["fid_by_epoch"]) == [1, 2]
    assert resumed["fid_by_epoch"][1] == epoch_1["fid"]
    assert resumed["cpu_minutes"] > state["callbacks"]["Scorer"]["minutes"]["cpu_minutes"]
    assert [p.name for p in checkpoints.glob("*.ckpt")] == ["last.ckpt"], "one file, overwritten"


def test_the_release_is_the_best_run_or_any_run_while_none_is_kept(lucic, tmp_path, monkeypatch) -> None:
    """A run is released when it is the model's best so far, or when no released folder is there (the best
    one's was lost): the catalog can always ship the best run whose weights exist."""
    fids = {("search", 0): 8.0, ("restart", 1): 9.0, ("restart", 2): 7.0, ("restart", 3): 9.5}
    released = []

    def fake_run(model, setting, seed, protocol, reference, args, checkpoints):
        phase = "search" if seed == 0 else "restart"
        row = fake_row(lucic, protocol, model, phase, seed, fids[phase, seed])
        keep = ("model", "seed", "fid", "best_epoch", "precision", "recall", "density", "coverage")
        module = torch.nn.Module()
        module.sample = lambda n, seed: torch.zeros(n, 1, 4, 4)
        result = {k: row[k] for k in keep} | {"setting": setting or {}, "cpu_minutes": 1.0, "module": module}
        return result | {"fid_by_epoch": {}, "wall_minutes": 1.0, "metric_protocol": {}}

    def fake_release(module, row, folder):
        folder.mkdir(parents=True, exist_ok=True)
        released.append(row["fid"])

    monkeypatch.setattr(lucic, "run", fake_run)
    monkeypatch.setattr(lucic, "reference_stats", lambda *a, **k: None)
    monkeypatch.setattr(lucic, "release", fake_release)
    (tmp_path / "t10k-images-idx3-ubyte").touch()
    argv = ["lucic2018.py", "--data-dir", str(tmp_path), "--results", str(tmp_path / "results")]
    argv += ["--models", "ns_gan", "--trials", "1", "--protocol", "two-checkpoints", "--restarts"]
    monkeypatch.setattr(sys, "argv", [*argv, "2"])
    lucic.main()
    assert released == [8.0, 7.0], "9.0 was worse than the released 8.0"
    folder = tmp_path / "results" / "release" / "two-checkpoints" / "lucic-ns-gan-mnist"
    folder.rmdir()  # the best run's weights are lost
    monkeypatch.setattr(sys, "argv", [*argv, "3"])
    lucic.main()
    assert released == [8.0, 7.0, 9.5] and folder.is_dir()
