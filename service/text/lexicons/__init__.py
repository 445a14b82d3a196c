"""Language resources as data files beside the code: one term per line, ``#`` comments."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files


@cache
def terms(name: str) -> tuple[str, ...]:
    """The non-comment lines of ``<name>.txt``, stripped, in order."""
    text = files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


@cache
def words(name: str) -> frozenset[str]:
    """Every word of ``<name>.txt`` (words separated by spaces or lines), as a set."""
    return frozenset(w for line in terms(name) for w in line.split())


@cache
def alternation(name: str) -> str:
    """Every word of ``<name>.txt``, in file order, as a regular-expression alternation (``a|b|c``) to put
    inside a group; the order is the order the pattern tries them."""
    return "|".join(re.escape(w) for line in terms(name) for w in line.split())


def folding(name: str) -> dict[str, str]:
    """A ``canonical: word word ...`` file as {word: canonical}."""
    out: dict[str, str] = {}
    for line in terms(name):
        canon, _, words = line.partition(":")
        for word in words.split():
            out[word] = canon.strip()
    return out
