"""``ganzoo --help``, ``ganzoo list`` and argument errors answer without importing torch or Lightning, and
a run shows none of Lightning's misuse warnings, product tips or deprecations."""

from __future__ import annotations

import json
import subprocess
import sys

COMMANDS = [
    ["--help"],
    ["list"],
    ["list", "--json"],
    ["sample", "--help"],
    ["sample", "dcgan-mnist", "-n", "0"],
    ["interpolate", "--frames", "x"],
    ["translate"],
    ["eval", "--help"],
    ["eval", "fid"],
    ["eval", "translation", "--help"],
    ["demo", "--steps", "-1"],
    ["smaple"],
]

PROBE = """
import json, sys
from ganzoo.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    try:
        code = main(argv)
    except SystemExit as exit:
        code = exit.code
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "lightning", "torchvision"))
    results.append([argv, code, heavy[:3]])
print(json.dumps(results), file=sys.__stdout__)
"""


def test_help_list_and_argument_errors_import_no_torch_or_lightning() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(COMMANDS)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for argv, code, heavy in json.loads(result.stdout.splitlines()[-1]):
        assert code in (0, 2), (argv, code)
        assert heavy == [], f"ganzoo {' '.join(argv)} imported {heavy}"


def test_a_fit_shows_no_lightning_noise(tmp_path, mnist_dir) -> None:
    argv = ["fit", "-c", "dcgan_mnist", "--data.data_dir", str(mnist_dir), "--data.download", "false"]
    argv += ["--data.image_size", "16", "--model.g_width", "8", "--model.d_width", "8"]
    argv += ["--trainer.max_steps", "2", "--data.batch_size", "16"]
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo", *argv], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    for noise in ("LightningCLI's args parameter", "litlogger", "litmodels", "Tip:", "LeafSpec", "Warning"):
        assert noise not in output, f"{noise!r} in:\n{output}"
    # ... and it says where its files are, relative to where it ran.
    lines = dict(
        line.split(":", 1) for line in result.stdout.splitlines() if line.startswith(("check", "sample"))
    )
    checkpoint = lines["checkpoint"].split()[0]
    grids = lines["sample grids"].split()[0]
    assert (
        checkpoint.startswith("lightning_logs/version_0/checkpoints/") and (tmp_path / checkpoint).is_file()
    )
    assert grids == "lightning_logs/version_0/samples/" and any((tmp_path / grids).glob("*.png"))
