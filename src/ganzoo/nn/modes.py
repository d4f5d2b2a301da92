"""Running a network in a chosen mode for one call, leaving no trace on it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


@contextlib.contextmanager
def running_as(net: nn.Module, *, training: bool) -> Iterator[nn.Module]:
    """Run ``net`` in training mode (batch-norm statistics of the batch, dropout on) or eval mode, then put
    it back as it was: its mode and, after a training-mode run, its running statistics (so sampling or
    translating with batch statistics never changes the model)."""
    was_training = net.training
    saved = {k: v.clone() for k, v in net.named_buffers()} if training else {}
    net.train(training)
    try:
        yield net
    finally:
        with torch.no_grad():
            for k, v in net.named_buffers():
                if k in saved:
                    v.copy_(saved[k])
        net.train(was_training)
