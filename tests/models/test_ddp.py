"""DDP: two gloo processes on CPU end with identical weights (gradients were all-reduced)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch

SCRIPT = Path(__file__).parents[1] / "scripts" / "ddp_dcgan.py"


def test_ddp_ranks_end_identical(tmp_path, mnist_dir) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(mnist_dir), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rank0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert int(rank0["num_g_steps"]) == 3, "6 optimizer steps = 3 D + 3 G updates"
    assert len(rank0) > 10
    for key, value in rank0.items():
        torch.testing.assert_close(rank1[key], value, msg=f"{key} differs between ranks")
