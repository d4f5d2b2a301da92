"""What the terminal should not show: library noise a ganzoo user can do nothing about, and advice repeated.

Lightning advertises its cloud products (the litlogger / litmodels tips) at every fit, and its own pytree
helper trips torch's ``LeafSpec`` deprecation; both come from the libraries, not from the user's command.
A warning that several steps of one command raise alike (a singular covariance, for the real and the
generated images of one FID) is shown once.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

ADVERTS = ("💡 Tip:",)
"""How Lightning's product tips begin."""

RANK_DEFICIENT = r"estimating a \d+x\d+ feature covariance"
"""The start of ``ganzoo.metrics.stats.warn_if_rank_deficient``'s warning (a singular covariance)."""


class _DropAdverts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(ADVERTS)


@functools.cache
def quiet_lightning() -> None:
    """Install the filters once per process."""
    logging.getLogger("lightning.pytorch.utilities.rank_zero").addFilter(_DropAdverts())
    warnings.filterwarnings("ignore", message=r".*LeafSpec.*", category=FutureWarning)


@contextmanager
def show_once(pattern: str) -> Iterator[None]:
    """Within the block, show only the first warning whose message matches ``pattern`` (a regex)."""
    shown = False
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):  # warnings.showwarning's signature
        nonlocal shown
        if re.search(pattern, str(message)):
            if shown:
                return
            shown = True
        original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original
