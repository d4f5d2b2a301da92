"""``ganzoo fit | validate | test``: a LightningCLI over every registered paper and DataModule.

A zoo card is a plain LightningCLI config. On top of LightningCLI this adds: short names (``--model DCGAN``,
``--data mnist``, ``-c dcgan_mnist``), the sample-grid callback, and the link between model and data: the
shape a model is built for (``image_size``, ``channels``, ``num_classes``, ``data_shape``, and the
``attributes`` it translates to) is taken from the data when the model leaves it at its default, and a card
that sets the two differently is refused.

For the person at the terminal: argument and card errors are one line (``ganzoo.cli.argument_errors``), the
data is checked before the Trainer creates a run folder, DataLoader workers are capped at the cores this
process may use, and the run ends with where its checkpoint and sample grids are.
"""

from __future__ import annotations

import inspect
import itertools
import os
from argparse import ArgumentError
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import yaml
from jsonargparse import Namespace
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI

from ganzoo.callbacks import GANProgressBar, SampleGrid
from ganzoo.cli import CommandError, find_card, quiet_lightning
from ganzoo.cli.argument_errors import distill
from ganzoo.data.base import GANDataModule
from ganzoo.hub.checkpoint_io import PickleFreeCheckpointIO
from ganzoo.registry import DATASETS, PAPERS, close_matches

LINKED = ("image_size", "channels", "num_classes", "data_shape", "attributes")
LIGHTNING_CKPT_NAMES = {"null", "none", "last", "best", "hpc"}  # Lightning finds these itself


class GanzooCLI(LightningCLI):
    """LightningCLI with the sample-grid callback always configured and the model linked to its data."""

    def init_parser(self, **kwargs: Any) -> LightningArgumentParser:
        # Errors raise (and become one line in parse_arguments) instead of printing the whole usage.
        return super().init_parser(**kwargs, exit_on_error=False)

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.add_lightning_class_args(SampleGrid, "sample_grid")

    def parse_arguments(self, parser: LightningArgumentParser, args: Any) -> None:
        # Always a list: the command line, short names already expanded.
        try:
            self.config = parser.parse_args(args)
        except ArgumentError as err:
            raise CommandError(f"{distill(str(err), options_of)} (see --help)") from err

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        link_model_to_data(config.model, config.data)
        cap_workers(config.data)
        if config.trainer.get("strategy") == "ddp":  # GAN updates leave one network without gradients
            config.trainer.strategy = "ddp_find_unused_parameters_true"
        if config.trainer.get("enable_progress_bar") is False:  # Lightning refuses a bar it may not show
            callbacks = self.trainer_defaults.get("callbacks", [])
            self.trainer_defaults["callbacks"] = [c for c in callbacks if not isinstance(c, GANProgressBar)]

    def instantiate_classes(self) -> None:
        try:
            super().instantiate_classes()
        except ValueError as err:  # a card value the class refuses, wrapped by jsonargparse in a union report
            raise CommandError(distill(str(err), options_of)) from err

    def before_fit(self) -> None:
        # Read (or download) the data before the Trainer makes its run folder, so a wrong data_dir fails
        # without leaving an empty lightning_logs/version_N behind.
        if isinstance(self.datamodule, GANDataModule):
            self.datamodule.setup("fit")


def available_cpus() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cap_workers(data: Namespace) -> None:
    """A card's ``num_workers`` at most the machine's cores: a published card's 4 or 8 workers would only
    make a smaller machine warn and wait."""
    init_args = data.get("init_args") or {}
    workers = init_args.get("num_workers")
    if isinstance(workers, int) and workers > available_cpus():
        init_args["num_workers"] = available_cpus()


def options_of(class_path: str) -> list[str]:
    """The constructor options of a registered paper or DataModule (for "did you mean")."""
    cls = _registered(class_path, PAPERS, "ganzoo.models") or _registered(class_path, DATASETS, "ganzoo.data")
    if cls is None:
        return []
    names = (inspect.signature(k.__init__).parameters for k in cls.__mro__ if "__init__" in vars(k))
    return sorted({n for params in names for n in params if n not in ("self", "args", "kwargs")})


def _declared_default(cls: type, name: str) -> Any:
    """The default of ``name`` in the first ``__init__`` along ``cls``'s MRO that declares it."""
    for klass in cls.__mro__:
        params = inspect.signature(klass.__init__).parameters if "__init__" in vars(klass) else {}
        if name in params:
            return params[name].default
    return inspect.Parameter.empty


def _as_plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def link_model_to_data(model: Namespace, data: Namespace) -> None:
    """Give the model the shape arguments of its data, or refuse a card whose two sides disagree."""
    model_cls = _registered(model.class_path, PAPERS, "ganzoo.models")
    data_cls = _registered(data.class_path, DATASETS, "ganzoo.data")
    if model_cls is None or data_cls is None or not issubclass(data_cls, GANDataModule):
        return
    given = data_cls(**dict(data.init_args or {})).model_arguments()
    args = model.init_args
    for key in LINKED:
        if key not in given or key not in args:
            continue
        value, wanted = _as_plain(args[key]), _as_plain(given[key])
        if value == wanted:
            continue
        if value == _as_plain(_declared_default(model_cls, key)):
            args[key] = list(wanted) if isinstance(wanted, tuple) else wanted
            continue
        raise CommandError(
            f"the model's {key} is {value!r} but the data gives {wanted!r} ({data_cls.__name__}). A "
            f"model is built for the images its data gives: set {key} on the data only (the model takes it "
            f"from there), or make the two agree."
        )


def _registered(class_path: str, registry: Any, package: str) -> type | None:
    """The registered class at ``class_path`` (``None`` for classes from elsewhere, which are not linked)."""
    for cls in registry.values():
        if class_path in (f"{cls.__module__}.{cls.__qualname__}", f"{package}.{cls.__name__}"):
            return cls
    return None


def _resolve(option: str, names: dict[str, str], value: str) -> str:
    """Map a short name (any case, underscores optional) to a class path; a dotted name is one already."""
    if "." in value or value.startswith("{"):
        return value

    def fold(name: str) -> str:
        return name.lower().replace("_", "")

    by_folded = {fold(k): k for k in names}
    if fold(value) in by_folded:
        return names[by_folded[fold(value)]]
    close = [by_folded[c] for c in close_matches(fold(value), list(by_folded), n=3)]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise CommandError(f"unknown {option} {value!r}.{hint} Choose from: {', '.join(sorted(names))}.")


def expand_short_names(args: Sequence[str]) -> list[str]:
    """Rewrite ``--model DCGAN`` / ``--data mnist`` (and the ``=`` forms) to full class paths."""
    model_names = {name: f"ganzoo.models.{name}" for name in PAPERS}
    data_names = {name: f"{cls.__module__}.{cls.__qualname__}" for name, cls in DATASETS.items()}
    tables = {"--model": ("model", model_names), "--data": ("dataset", data_names)}
    out, i = [], 0
    args = list(args)
    while i < len(args):
        arg = args[i]
        key, eq, value = arg.partition("=")
        if key in tables and eq:
            out.append(f"{key}={_resolve(*tables[key], value)}")
        elif key in tables and i + 1 < len(args):
            out += [key, _resolve(*tables[key], args[i + 1])]
            i += 1
        else:
            out.append(arg)
        i += 1
    return out


def resolve_cards(args: Sequence[str]) -> list[str]:
    """Each ``-c/--config`` value (also ``--config=...``) as a card file (a path, or a card name like
    ``dcgan_mnist``), checked to be YAML, so a missing or malformed card fails early, naming the file."""
    out = list(args)
    for i, (flag, value) in enumerate(itertools.pairwise(["", *args])):
        key, eq, given = value.partition("=")
        if key == "--config" and eq:
            out[i] = f"--config={_checked_card(given)}"
        elif flag in ("-c", "--config"):
            out[i] = _checked_card(value)
    return out


def check_ckpt_path(args: Sequence[str]) -> None:
    """Read a ``--ckpt_path`` the way training will (local, pickle-free, against its checksum) before
    LightningCLI reads its hyperparameters: a bad checkpoint is refused with its reason, not a traceback."""
    for i, arg in enumerate(args):
        key, eq, value = arg.partition("=")
        if key != "--ckpt_path" or not (eq or i + 1 < len(args)):
            continue
        path = value if eq else args[i + 1]
        if path.lower() not in LIGHTNING_CKPT_NAMES:
            PickleFreeCheckpointIO().load_checkpoint(path)


def _checked_card(value: str) -> str:
    try:
        path = find_card(value)
    except FileNotFoundError as err:
        raise CommandError(f"config file {value} does not exist: {err}") from err
    try:
        yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise CommandError(f"{path} is not valid YAML: {' '.join(str(err).split())}") from err
    return str(path)


def run_cli(
    args: Sequence[str], prog: str = "ganzoo", extra_callbacks: Sequence[L.Callback] = ()
) -> GanzooCLI:
    """Run a LightningCLI sub-command (``fit``, ``validate``, ``test``) and return the CLI object."""
    check_ckpt_path(args)
    quiet_lightning()
    return GanzooCLI(
        L.LightningModule,  # every registered paper: the GANModules and the VAE
        GANDataModule,
        subclass_mode_model=True,
        subclass_mode_data=True,
        auto_configure_optimizers=False,
        trainer_defaults={"callbacks": [GANProgressBar(), *extra_callbacks]},
        save_config_kwargs={"overwrite": True},
        parser_kwargs={"prog": prog},
        args=expand_short_names(resolve_cards(args)),
    )


def cmd_fit(argv: Sequence[str], prog: str = "ganzoo") -> int:
    """``ganzoo fit | validate | test ...``: run LightningCLI, then say where the run's files are."""
    cli = run_cli(argv, prog)
    if cli.subcommand == "fit":
        for line in run_files(cli.trainer):
            print(line)
    return 0


def run_files(trainer: L.Trainer) -> list[str]:
    """Where a finished fit wrote its checkpoint and its sample grids, as lines to print."""
    lines = []
    checkpoint = trainer.checkpoint_callback
    saved = checkpoint and (checkpoint.last_model_path or checkpoint.best_model_path)
    if saved:
        path = shown(saved)
        lines.append(f"checkpoint:    {path}  (ganzoo.load('{path}'), or ganzoo sample {path})")
    grids = [cb.last_path for cb in trainer.callbacks if isinstance(cb, SampleGrid) and cb.last_path]
    if grids:
        lines.append(f"sample grids:  {shown(Path(grids[0]).parent)}/  (latest: {Path(grids[0]).name})")
    return lines


def shown(path: str | Path) -> Path:
    """``path`` relative to the working directory when it is inside it (as the user would type it)."""
    path = Path(path).absolute()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
