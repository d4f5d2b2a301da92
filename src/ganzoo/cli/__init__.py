"""The ``ganzoo`` and ``lightning`` commands: one entry point, one module per sub-command, and the light layer
they share.

``fit`` / ``validate`` / ``test`` are a LightningCLI over every paper and DataModule (``ganzoo.cli.fit``);
``list``, ``sample``, ``interpolate``, ``translate``, ``eval`` and ``demo`` are the zoo's own. Each module is
imported only when its command runs, and imports torch and Lightning only once its arguments are parsed, so
``ganzoo --help``, ``ganzoo list`` and a mistyped option answer at once. What every command shares, and what
must therefore import neither, lives here:

- **Expected errors as a message, not a stack.** A command raises ``CommandError`` for its own checks, and
  ganzoo raises ``ValueError`` / ``LookupError`` / ``OSError`` with a message that names the file or value and
  says what to do. The entry point prints that message as ``<command>: error: <message>`` on stderr and exits
  with status 2, as argparse does for a bad option. ``--traceback`` (anywhere on the command line) or
  ``GANZOO_DEBUG=1`` shows the full stack instead. Anything else (a ``RuntimeError`` from torch, a
  ``TypeError``) is a bug and keeps its traceback.
- **What the terminal should not show**: library noise a ganzoo user can do nothing about, and advice
  repeated. Lightning advertises its cloud products (the litlogger / litmodels tips) at every fit, and its
  own pytree helper trips torch's ``LeafSpec`` deprecation; both come from the libraries, not from the
  user's command. A warning that several steps of one command raise alike (a singular covariance, for the
  real and the generated images of one FID) is shown once.
- **The zoo cards**: ``<paper>_<dataset>.yaml`` LightningCLI configs, shipped inside the package. They live in
  the repository's top-level ``zoo_cards/`` and are package data (``ganzoo/zoo_cards``), so
  ``ganzoo fit -c dcgan_mnist`` and ``ganzoo demo`` work after a plain ``pip install``, from any directory. A
  card is named by its path below that folder without ``.yaml`` (``dcgan_mnist``, ``lucic2018/ns_gan_mnist``).
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ganzoo.registry import close_matches

# --- expected errors ------------------------------------------------------------------------------

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


# --- the commands ---------------------------------------------------------------------------------

COMMANDS: dict[str, tuple[str, str, str]] = {
    "fit": (
        "fit",
        "cmd_fit",
        "train a model: a zoo card (-c dcgan_mnist) or --model / --data, LightningCLI options",
    ),
    "validate": ("fit", "cmd_fit", "run a model's validation loop (LightningCLI)"),
    "test": ("fit", "cmd_fit", "run a model's test loop (LightningCLI)"),
    "list": ("listing", "cmd_list", "papers, zoo cards, pretrained weights and datasets"),
    "sample": ("sample", "cmd_sample", "write a grid of samples from a model"),
    "interpolate": ("sample", "cmd_interpolate", "walk the latent space between seeds: a PNG grid and a GIF"),
    "translate": ("translate", "cmd_translate", "translate images with an image-to-image model"),
    "eval": ("evaluate", "main", "FID / IS / KID of a model, or translation metrics (eval translation)"),
    "demo": ("demo", "cmd_demo", "train DCGAN on the bundled MNIST subset for a few CPU minutes"),
}


def usage(prog: str) -> str:
    width = max(map(len, COMMANDS))
    lines = [
        f"usage: {prog} COMMAND [options]   ({prog} COMMAND -h for a command's options)",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {description}" for name, (_, _, description) in COMMANDS.items()]
    lines += ["", f"{TRACEBACK_FLAG} (or GANZOO_DEBUG=1) shows the full stack of an error."]
    return "\n".join(lines)


def run_cli(args: Sequence[str], prog: str = "ganzoo") -> Any:
    """Run ``fit`` / ``validate`` / ``test`` (LightningCLI) and return the CLI object."""
    from ganzoo.cli.fit import run_cli as run

    return run(args, prog)


def expand_short_names(args: Sequence[str]) -> list[str]:
    """``--model DCGAN`` / ``--data mnist`` as class paths (see ``ganzoo.cli.fit``)."""
    from ganzoo.cli.fit import expand_short_names as expand

    return expand(args)


def main(argv: Sequence[str] | None = None, prog: str = "ganzoo") -> int:
    """Entry point of the ``ganzoo`` command; returns the exit status (2: an expected error, printed)."""
    argv, traceback = split_traceback_flag(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(prog))
        return 0
    command = argv[0]
    if command not in COMMANDS and not command.startswith("-"):
        close = close_matches(command, list(COMMANDS))
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        print(f"{prog}: error: unknown command {command!r}.{hint}\n\n{usage(prog)}", file=sys.stderr)
        return 2
    # LightningCLI options without a sub-command (e.g. --print_config) go to LightningCLI as they are.
    module, function, _ = COMMANDS.get(command, COMMANDS["fit"])
    lightning_cli = module == "fit"
    try:
        run = getattr(importlib.import_module(f"ganzoo.cli.{module}"), function)
        return run(argv, prog) if lightning_cli else run(argv[1:])
    except EXPECTED as err:
        if traceback:
            raise
        words = [prog, *argv[:2]] if argv[1:2] == ["translation"] else [prog, *argv[:1]]
        return report(" ".join(w for w in words if not w.startswith("-")), err)


def lightning_main() -> int:
    """Entry point of the ``lightning`` command: the same CLI, under the name users type."""
    return main(prog="lightning")


# --- the terminal ---------------------------------------------------------------------------------

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


# --- the cards ------------------------------------------------------------------------------------

SUFFIX = ".yaml"


def cards_dir() -> Path:
    """The folder of the cards that ship with the package."""
    return Path(str(importlib.resources.files("ganzoo") / "zoo_cards"))


def card_name(path: Path) -> str:
    return path.relative_to(cards_dir()).with_suffix("").as_posix()


def list_cards() -> list[Path]:
    """Every shipped card, sorted by name."""
    return sorted(cards_dir().rglob(f"*{SUFFIX}"), key=card_name)


def find_card(name_or_path: str) -> Path:
    """A card by file path, or by name (``dcgan_mnist``, with or without ``zoo_cards/`` and ``.yaml``)."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    name = name_or_path.removeprefix("zoo_cards/").removesuffix(SUFFIX)
    card = cards_dir() / f"{name}{SUFFIX}"
    if card.is_file():
        return card
    names = [card_name(c) for c in list_cards()]
    close = close_matches(name, names)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise FileNotFoundError(
        f"{name_or_path} is neither a file nor a zoo card.{hint} Cards (`ganzoo list`): {', '.join(names)}"
    )
