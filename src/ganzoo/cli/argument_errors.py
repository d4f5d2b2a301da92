"""LightningCLI's argument errors in one line: the option, what is wrong with it, and what to use instead.

jsonargparse reports a bad value inside a class (``--model.loss hinj``, a card's ``d_steps: 0``) as a nested
"Does not validate against any of the Union subtypes" block listing every subtype, a ``NoneType``
alternative and the whole namespace it was given; the reason is one line deep inside. ``distill`` keeps that
line and names the option it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ganzoo.registry import close_matches

HINTS = {
    "lr": "the learning rates are lr_g (generator) and lr_d (discriminator)",
    "learning_rate": "the learning rates are lr_g (generator) and lr_d (discriminator)",
}
"""Options people reach for that the papers' classes name differently."""

_KEY = re.compile(r'^Parser key "([^"]+)":?$')
_CLASS = re.compile(r"^-? ?Problem with given class_path '([^']+)':?$")
_GIVEN_CLASS = re.compile(r"class_path='([^']+)'")
_NOT_ACCEPTED = re.compile(r"^(?:Option|Key) '([^']+)' is not (?:accepted|expected)\.?$")
_LITERAL = re.compile(r"Expected a typing\.Literal\[(.*)\]\. Got value: (.*)$")
_NOISE = (
    "Does not validate against any of the Union subtypes",
    "Subtypes:",
    "Errors:",
    "Given value type:",
    "- Expected a <class 'NoneType'>",
    "Expected a <class 'NoneType'>",
)


def distill(message: str, options_of: Callable[[str], list[str]]) -> str:
    """One line for a jsonargparse error ``message``; ``options_of(class_path)`` lists a class's options
    (for suggestions), empty for classes it does not know."""
    keys: list[str] = []
    class_path: str | None = None
    reasons: list[str] = []
    for raw in message.splitlines():
        line = raw.strip()
        if line.startswith("Given value:"):
            given = _GIVEN_CLASS.search(line)
            class_path = class_path or (given[1] if given else None)
        elif (key := _KEY.match(line)) is not None:
            keys.append(key[1])
        elif (problem := _CLASS.match(line)) is not None:
            class_path = problem[1]
        elif line and not line.startswith(_NOISE):
            reasons.append(line.removeprefix("- "))
    if not reasons:
        return " ".join(line.strip() for line in message.splitlines() if line.strip())
    reason = " ".join(reasons)
    owner = class_path.rpartition(".")[2] if class_path else None
    if (unknown := _NOT_ACCEPTED.match(reason)) is not None:
        name = unknown[1]
        option = "--" + ".".join([*keys, name])
        hint = HINTS.get(name)
        if hint is None:
            close = close_matches(name, options_of(class_path)) if class_path else []
            hint = f"did you mean {', '.join(close)}?" if close else "see --help for the options"
        return f"{option}: {owner or 'this class'} has no option {name!r}; {hint}"
    if (literal := _LITERAL.search(reason)) is not None:
        reason = f"expected one of {literal[1]}; got {literal[2]!r}"
    where = "--" + ".".join(keys) if keys else None
    prefix = ": ".join(p for p in (where, owner) if p)
    return f"{prefix}: {reason}" if prefix else reason
