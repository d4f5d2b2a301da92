"""The ``ganzoo`` and ``lightning`` commands: one entry point, one module per sub-command.

``fit`` / ``validate`` / ``test`` are a LightningCLI over every paper and DataModule (``ganzoo.cli.fit``);
``list``, ``sample``, ``interpolate``, ``translate``, ``eval`` and ``demo`` are the zoo's own. Each module is
imported only when its command runs, so ``ganzoo --help`` answers at once.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

# command -> (module, function, one-line description)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "fit": (
        "fit",
        "",
        "train a model: a zoo card (-c dcgan_mnist) or --model / --data, LightningCLI options",
    ),
    "validate": ("fit", "", "run a model's validation loop (LightningCLI)"),
    "test": ("fit", "", "run a model's test loop (LightningCLI)"),
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
    """Entry point of the ``ganzoo`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(prog))
        return 0
    command = argv[0]
    if command not in COMMANDS:
        if command.startswith("-"):  # LightningCLI options without a sub-command, e.g. --print_config
            run_cli(argv, prog)
            return 0
        from ganzoo.registry import close_matches

        close = close_matches(command, list(COMMANDS))
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        print(f"{prog}: error: unknown command {command!r}.{hint}\n\n{usage(prog)}", file=sys.stderr)
        return 2
    module, function, _ = COMMANDS[command]
    if not function:
        run_cli(argv, prog)
        return 0
    return getattr(importlib.import_module(f"ganzoo.cli.{module}"), function)(argv[1:])


def lightning_main() -> int:
    """Entry point of the ``lightning`` command: the same CLI, under the name users type."""
    return main(prog="lightning")
