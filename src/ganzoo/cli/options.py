"""Argument types and help texts that several ``ganzoo`` commands share (plain argparse, no torch)."""

from __future__ import annotations

import argparse

MODEL_HELP = "a zoo name (ganzoo list), a Lightning .ckpt, a folder with config.json + model.safetensors, or hf://owner/repo"
DATA_DIR_HELP = (
    "the folder with the dataset's files (default: <cache>/data/<name>, or $GANZOO_DATA/<name> when set; "
    "<cache> is $GANZOO_CACHE, default <HF_HOME>/ganzoo, where the weights are cached too)"
)
DEVICE_HELP = "torch device (default: cuda when available, else cpu)"


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, refused by argparse (usage + one line, status 2) otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def default_device() -> str:
    """``cuda`` when torch sees a GPU, else ``cpu`` (imports torch: call it after parsing)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
