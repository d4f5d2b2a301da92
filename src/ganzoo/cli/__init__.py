"""The ``ganzoo`` and ``lightning`` commands: one entry point, one module per sub-command.

``fit`` / ``validate`` / ``test`` are a LightningCLI over every paper and DataModule (``ganzoo.cli.fit``);
``list``, ``sample``, ``interpolate``, ``translate``, ``eval`` and ``demo`` are the zoo's own. Each module is
imported only when its command runs, and imports torch and Lightning only once its arguments are parsed, so
``ganzoo --help``, ``ganzoo list`` and a mistyped option answer at once. An expected error is one message
with exit status 2 (``ganzoo.cli.errors``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

from ganzoo.cli.errors import EXPECTED, TRACEBACK_FLAG, report, split_traceback_flag

# command -> (module, function, one-line description); the LightningCLI commands get the whole command line
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
        from ganzoo.registry import close_matches

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
