"""What the paper and dataset registries hold, read from the package's source files without importing them.

Importing ``ganzoo.models`` or ``ganzoo.data`` pulls in torch and Lightning (seconds); ``ganzoo list`` needs
only each registered class's name and the one-paragraph summary its module's docstring opens with. Both are
in the source, so they are read with ``ast``: the summaries stay where they are written, and a test checks
that this index names exactly what the registries hold.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Registered:
    """A class registered by a ``@<REGISTRY>.register`` decorator, and its module's summary."""

    name: str
    summary: str
    module: str


def package_dir(package: str) -> Path:
    """The folder of ``package`` (found, not imported)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not an installed package")
    return Path(next(iter(spec.submodule_search_locations)))


def summary_of(docstring: str | None) -> str:
    """A docstring's first paragraph as one line of plain text (reST ``literals`` unquoted)."""
    paragraph = (docstring or "").strip().split("\n\n")[0]
    return re.sub(r"``([^`]*)``", r"\1", " ".join(paragraph.split()))


def registered(package: str, registry: str, key: str | None = None) -> list[Registered]:
    """Every class in ``package``'s modules decorated with ``@<registry>.register``, sorted by name; named by
    its class attribute ``key`` (a DataModule's ``name``) or, without one, by its class name."""
    found = []
    for path in sorted(package_dir(package).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        summary = summary_of(ast.get_docstring(tree))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(_is_register(d, registry) for d in node.decorator_list):
                name = _class_constant(node, key) if key else node.name
                found.append(Registered(name or node.name, summary, f"{package}.{path.stem}"))
    return sorted(found, key=lambda r: r.name)


def _is_register(decorator: ast.expr, registry: str) -> bool:
    return (
        isinstance(decorator, ast.Attribute)
        and decorator.attr == "register"
        and isinstance(decorator.value, ast.Name)
        and decorator.value.id == registry
    )


def _class_constant(node: ast.ClassDef, attribute: str) -> str | None:
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == attribute for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
        ):
            return str(statement.value.value)
    return None
