"""The package's shape: no import cycles, one naming rule, and a load that stays inside the hub."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.cli import card_name, list_cards
from ganzoo.hub.catalog import CATALOG, URL, Pretrained
from ganzoo.hub.fetch import sha256_of
from ganzoo.registry import PAPERS

PACKAGE = Path(ganzoo.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    try:
        return name.startswith("ganzoo") and importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # an attribute of a module, not a submodule
        return False


def imports_of(path: Path) -> set[str]:
    """The ganzoo modules a file imports anywhere in it (functions included), with the packages whose
    ``__init__`` such an import runs, except the importer's own packages (which are already running)."""
    name = module_name(path)
    own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    if path.name == "__init__.py":
        own.add(name)
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets.add(node.module)
            names = (f"{node.module}.{alias.name}" for alias in node.names)
            targets.update(n for n in names if is_module(n))
    edges = set()
    for target in targets:
        if not target.startswith("ganzoo"):
            continue
        parts = target.split(".")
        edges.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {e for e in edges if e not in own and e != name}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py") if "hub_wip" not in p.parts}


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_no_module_shadows_a_builtin_in_its_package() -> None:
    """A submodule ``ganzoo.cli.list`` rebinds ``list`` inside ``ganzoo/cli/__init__.py`` when imported."""
    import builtins

    clashes = [m for m in import_graph() if m.rpartition(".")[2] in vars(builtins)]
    assert not clashes, clashes


def test_downloading_imports_nothing_from_the_catalog_and_models_nothing_that_loads() -> None:
    graph = import_graph()
    assert not any(m.startswith("ganzoo.hub.catalog") for m in graph["ganzoo.hub.fetch"])
    for module, targets in graph.items():
        if module.startswith(("ganzoo.models", "ganzoo.nn")):
            assert not targets & {"ganzoo.hub.load", "ganzoo.hub.build", "ganzoo.hub.catalog"}, module


def arch(paper: str) -> str:
    """A paper class's name as weights name it: lower case (``DCGAN`` -> ``dcgan``, ``CycleGAN`` ->
    ``cyclegan``), the two names that join two words split by '-' (``wgan-gp``, ``biggan-deep``)."""
    return {"WGANGP": "wgan-gp", "BigGANDeep": "biggan-deep"}.get(paper, paper.lower())


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_weights_are_named_after_their_paper_class(name: str) -> None:
    """A study's reproductions are named by the study, like its cards: ``lucic-vae-mnist`` is the best run of
    ``zoo_cards/lucic2018/vae_mnist.yaml``."""
    entry = CATALOG[name]
    paper = entry.model.rpartition(".")[2]
    assert paper in PAPERS
    if name.startswith("lucic-"):
        model, dataset = name.removeprefix("lucic-").rsplit("-", 1)
        assert entry.zoo_card == f"zoo_cards/lucic2018/{model.replace('-', '_')}_{dataset}.yaml", name
        return
    assert name.startswith(arch(paper) + "-"), f"{name} should start with {arch(paper)}-"


@pytest.mark.parametrize("card", [c for c in list_cards() if "/" not in card_name(c)], ids=card_name)
def test_cards_are_named_after_their_paper_class(card: Path) -> None:
    """Top-level cards; a study's cards (``lucic2018/ns_gan_mnist``) are named by the study's model names."""
    import yaml

    paper = yaml.safe_load(card.read_text())["model"]["class_path"].rpartition(".")[2]
    assert card.stem.startswith(arch(paper).replace("-", "_") + "_"), f"{card} does not name {paper}"


def test_loading_by_name_stays_in_the_hub_and_the_models_files(tmp_path, monkeypatch) -> None:
    """Follow ``ganzoo.load(name)`` from the call to a built BigGAN-deep: the code that runs is the hub's and
    the model's own (its paper file, its bases, its blocks), and the registry that names it."""
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    init_args = {"image_size": 32, "num_classes": 3, "latent_dim": 8, "embed_dim": 8, "g_ch": 4}
    init_args.update(g_attention=16, generator_only=True, ema_decay=None)
    model = ganzoo.models.BigGANDeep(**init_args)
    model.save_pretrained(tmp_path / "saved")
    weights = tmp_path / "saved" / "model.safetensors"
    entry = Pretrained(
        name="biggan-deep-walk",
        model="ganzoo.models.BigGANDeep",
        init_args=init_args,
        sha256=sha256_of(weights),
        sources=(URL(weights.as_uri()),),
        format="ganzoo",
        filename="model.safetensors",
        license="test",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    ran: set[Path] = set()
    load = ganzoo.load  # resolved before tracing: the package imports its public names on first use

    def trace(frame, event, arg):  # sys.setprofile's signature
        file = Path(frame.f_code.co_filename)
        if file.is_relative_to(PACKAGE):
            ran.add(file.relative_to(PACKAGE))

    sys.setprofile(trace)
    try:
        loaded = load(entry.name)
    finally:
        sys.setprofile(None)
    expected = model.sample(2, seed=0, classes=[0, 1])
    torch.testing.assert_close(loaded.sample(2, seed=0, classes=[0, 1]), expected)
    # The registry names the class; a conditional model's class names are its vocabulary.
    allowed = {"registry.py", "data/class_names.py"}
    outside = {str(f) for f in ran if f.parts[0] not in ("hub", "models", "nn") and str(f) not in allowed}
    assert not outside, f"loading ran code outside the hub and the model: {sorted(outside)}"
    models = {f.name for f in ran if f.parts[0] == "models"}
    assert models <= {"biggan_deep.py", "biggan.py", "conditional.py", "latent.py", "base.py", "__init__.py"}


CARD_TO_FID_FILES = 20
"""The ganzoo files whose code runs between ``lightning fit -c <card>`` and a logged ``val/fid`` (21 before
the package was split by capability; import-time code is not counted)."""


def test_a_card_reaches_a_logged_fid_through_few_files(mnist_dir, tmp_path) -> None:
    """Train a tiny DCGAN card for 4 steps with the FID callback (the standard Inception, 16 images a side)
    and count the package files whose functions ran outside imports: a newcomer follows that many."""
    import yaml

    from ganzoo.cli import lightning_main

    card = tmp_path / "card.yaml"
    fid = {"split": "test", "reference_samples": 16, "metrics": ["fid"], "num_samples": 16, "batch_size": 16}
    card.write_text(
        yaml.safe_dump(
            {
                "seed_everything": 0,
                "model": {"class_path": "ganzoo.models.DCGAN", "init_args": {"g_width": 8, "d_width": 8}},
                "data": {
                    "class_path": "ganzoo.data.MNIST",
                    "init_args": {"data_dir": str(mnist_dir), "image_size": 32, "batch_size": 16},
                },
                "trainer": {
                    "max_epochs": 1,
                    "limit_train_batches": 4,
                    "accelerator": "cpu",
                    "default_root_dir": str(tmp_path / "run"),
                    "logger": {"class_path": "CSVLogger", "init_args": {"save_dir": str(tmp_path / "run")}},
                    "callbacks": [
                        {"class_path": "ganzoo.callbacks.GenerativeMetricsCallback", "init_args": fid}
                    ],
                },
            }
        )
    )
    ran: set[Path] = set()

    def in_import(frame) -> bool:
        while frame is not None:
            if frame.f_code.co_name == "<module>" and Path(frame.f_code.co_filename).is_relative_to(PACKAGE):
                return True
            frame = frame.f_back
        return False

    def trace(frame, event, arg):  # sys.setprofile's signature
        file = Path(frame.f_code.co_filename)
        if event == "call" and file.is_relative_to(PACKAGE) and file not in ran and not in_import(frame):
            ran.add(file)

    argv = sys.argv
    sys.argv = ["lightning", "fit", "-c", str(card)]
    sys.setprofile(trace)
    try:
        assert lightning_main() == 0
    finally:
        sys.setprofile(None)
        sys.argv = argv
    logged = next((tmp_path / "run").rglob("metrics.csv")).read_text()
    assert "val/fid" in logged.splitlines()[0] and len(logged.splitlines()) > 1
    files = sorted(str(f.relative_to(PACKAGE)) for f in ran)
    assert len(files) <= CARD_TO_FID_FILES, f"{len(files)} files: {files}"
