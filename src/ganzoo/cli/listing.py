"""``ganzoo list``: the papers, zoo cards, pretrained weights and datasets, as tables or as JSON.

Nothing here imports torch or Lightning: papers and datasets come from their source files
(``ganzoo.cli.index``), cards from their YAML comments, weights from the catalog's entries. Summaries are
never cut: a long one wraps under its column.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

from ganzoo.cli import card_name, list_cards
from ganzoo.cli.index import registered

_CLAUSE_END = re.compile(r"[.:;](?=\s|$)")
_ABBREVIATION = re.compile(r"\b(?:al|e\.g|i\.e|vs)\.$")


def card_summary(text: str) -> str:
    """A card's opening comment up to the end of its first clause, outside parentheses."""
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("#").strip())
    prose = " ".join(comment)
    depth = 0
    for i, char in enumerate(prose):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and _CLAUSE_END.match(prose, i) and not _ABBREVIATION.search(prose[: i + 1]):
            return prose[:i]
    return prose


def without_own_name(name: str, summary: str) -> str:
    """``"DCGAN: Radford et al. ..."`` beside the name ``DCGAN`` as ``"Radford et al. ..."``."""
    label, colon, rest = summary.partition(": ")
    same = label.replace("-", "").lower() == name.lower()
    return rest if colon and same else summary


def verification(entry: Any) -> str:
    """How an entry's file is checked: the entry's own account where it has one, else read off its hash
    (a full published sha256, a published prefix, or none: the hash of the first download is pinned)."""
    told = getattr(entry, "verification", None)
    if told:
        return str(told)
    if entry.sha256 is None:
        return "trust on first use"
    return "published sha256" if len(entry.sha256) == 64 else "published prefix + pinned"


def rows() -> dict[str, list[dict[str, str]]]:
    """Everything ``ganzoo list`` shows, section by section."""
    from ganzoo.hub.catalog import CATALOG, list_models

    return {
        "papers": [
            {"name": r.name, "summary": without_own_name(r.name, r.summary)}
            for r in registered("ganzoo.models", "PAPERS")
        ],
        "cards": [
            {"name": card_name(c), "summary": card_summary(c.read_text(encoding="utf-8")), "path": str(c)}
            for c in list_cards()
        ],
        "pretrained": [
            {
                "name": name,
                "model": CATALOG[name].model.rpartition(".")[2],
                "dataset": CATALOG[name].dataset,
                "verified_by": verification(CATALOG[name]),
            }
            for name in list_models(pretrained=True)
        ],
        "datasets": [
            {"name": r.name, "summary": r.summary} for r in registered("ganzoo.data", "DATASETS", key="name")
        ],
    }


TITLES = {
    "papers": "Papers (ganzoo fit --model NAME)",
    "cards": "Zoo cards (ganzoo fit -c NAME)",
    "pretrained": "Pretrained weights (ganzoo.load(NAME), ganzoo sample NAME)",
    "datasets": "Datasets (ganzoo fit --data NAME, ganzoo eval --data NAME)",
}
COLUMNS = {
    "papers": ("name", "summary"),
    "cards": ("name", "summary"),
    "pretrained": ("name", "model", "dataset", "verified_by"),
    "datasets": ("name", "summary"),
}


def table(records: list[dict[str, str]], columns: Sequence[str], width: int) -> list[str]:
    """Aligned columns under a header; the last column wraps to ``width`` under itself."""
    header = [c.replace("_", " ").upper() for c in columns]
    widths = [max(len(h), *(len(r[c]) for r in records)) for h, c in zip(header, columns, strict=True)]
    indent = 2 + sum(w + 2 for w in widths[:-1])
    last = max(width - indent, 30)

    def line(cells: Sequence[str]) -> list[str]:
        lead = "  " + "".join(f"{cell:<{w}}  " for cell, w in zip(cells[:-1], widths, strict=False))
        wrapped = textwrap.wrap(cells[-1], last) or [""]
        return [(lead + wrapped[0]).rstrip(), *(" " * indent + more for more in wrapped[1:])]

    out = line(header)
    for record in records:
        out += line([record[c] for c in columns])
    return out


def cmd_list(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ganzoo list", description="Papers, zoo cards, pretrained weights and datasets."
    )
    p.add_argument("--json", action="store_true", help="one JSON object with a list per section")
    args = p.parse_args(argv)
    sections = rows()
    if args.json:
        print(json.dumps(sections, indent=2))
        return 0
    width = shutil.get_terminal_size((120, 24)).columns
    blocks = []
    for key, records in sections.items():
        lines = [f"{TITLES[key]}:", *table(records, COLUMNS[key], width)]
        if key == "cards" and records:
            lines.append(f"  (files in {list_cards()[0].parent})")
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))
    return 0
