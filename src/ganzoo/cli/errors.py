"""Expected errors as a message, not a stack: what every ``ganzoo`` command prints when its input is wrong.

A command raises ``CommandError`` for its own checks, and ganzoo raises ``ValueError`` / ``LookupError`` /
``OSError`` with a message that names the file or value and says what to do. The entry point prints that
message as ``<command>: error: <message>`` on stderr and exits with status 2, as argparse does for a bad
option. ``--traceback`` (anywhere on the command line) or ``GANZOO_DEBUG=1`` shows the full stack instead.
Anything else (a ``RuntimeError`` from torch, a ``TypeError``) is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TRACEBACK_FLAG = "--traceback"
EXIT_CODE = 2


class CommandError(Exception):
    """A command's input is wrong; the message says which value and what to do."""


EXPECTED: tuple[type[BaseException], ...] = (CommandError, ValueError, LookupError, OSError)
"""The errors a user can cause and fix, printed as their message."""


def split_traceback_flag(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--traceback``, and whether the full stack was asked for (the flag or
    ``GANZOO_DEBUG=1``)."""
    rest = [arg for arg in argv if arg != TRACEBACK_FLAG]
    return rest, len(rest) < len(argv) or os.environ.get("GANZOO_DEBUG", "") not in ("", "0")


def message_of(err: BaseException) -> str:
    """The error's own text (a ``KeyError`` without the quotes it adds around its argument)."""
    if isinstance(err, KeyError) and len(err.args) == 1 and type(err).__str__ is KeyError.__str__:
        return str(err.args[0])
    return str(err) or type(err).__name__


def report(command: str, err: BaseException) -> int:
    """Print ``err`` as ``<command>: error: <message>`` on stderr; return the exit status."""
    print(f"{command}: error: {message_of(err)}", file=sys.stderr)
    return EXIT_CODE
