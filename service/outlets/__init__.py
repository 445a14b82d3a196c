"""The bundled outlet table: leans (and a few kinds) of well-known outlets, from a named, dated source.

``allsides-2021.json`` holds the AllSides Media Bias Ratings recorded in shared/data/allsides-2021 (built by
``scripts/build-outlet-table``; see README.md beside it). A name is matched loosely: case, punctuation, a leading
"The" and AllSides' medium tag ("(Online News)", "(News)", "(Online)") do not matter, so "CNN", "cnn" and
"CNN (Online News)" are one outlet; an "(Opinion)" entry is matched only by its own name or "<outlet> opinion".
The caller's value always wins over the table, and an outlet the table does not know stays unknown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

TABLE_ID = "allsides-2021"
_MEDIUM_TAG = re.compile(r"\s*\((?:online news|online|news)\)\s*$", re.I)
_OPINION_TAG = re.compile(r"\s*\(opinion\)\s*$", re.I)
# Common short forms of outlets in the table (added by hand; the table's own names match without them).
ALIASES = {
    "ap": "Associated Press",
    "ap news": "Associated Press",
    "nyt": "New York Times (News)",
    "ny times": "New York Times (News)",
    "wsj": "Wall Street Journal (News)",
    "wapo": "Washington Post",
    "bbc": "BBC News",
    "fox": "Fox News (Online News)",
    "huffington post": "HuffPost",
    "oan": "One America News Network (OAN)",
    "oann": "One America News Network (OAN)",
    "one america news network": "One America News Network (OAN)",
    "ny post": "New York Post (News)",
    "usa today": "USA TODAY",
    "daily caller": "The Daily Caller",
    "the blaze": "TheBlaze.com",
    "blaze": "TheBlaze.com",
}


@dataclass(frozen=True)
class OutletInfo:
    """What the table says about one outlet."""

    name: str  # as the table names it
    lean: str  # left, lean-left, center, lean-right, right
    kind: str | None  # opinion / wire where the table says so, else None (the article's kind is unknown)
    kind_source: str | None


def key(name: str) -> str:
    """The matching form of an outlet name: 'The New York Times (News)' → 'new york times'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _MEDIUM_TAG.sub("", text)
    opinion = bool(_OPINION_TAG.search(text))
    text = _OPINION_TAG.sub("", text).casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return f"{text} opinion" if opinion else text


@cache
def table() -> dict[str, OutletInfo]:
    """The outlet table by matching key (news entries win a bare name over their opinion section)."""
    data = json.loads(files(__package__).joinpath(f"{TABLE_ID}.json").read_text(encoding="utf-8"))
    out: dict[str, OutletInfo] = {}
    for row in data["outlets"]:
        info = OutletInfo(row["name"], row["lean"], row["kind"], row["kind_source"])
        out[key(row["name"])] = info
    by_name = {info.name: info for info in out.values()}
    for alias, name in ALIASES.items():
        out.setdefault(key(alias), by_name[name])
    return out


@cache
def source() -> str:
    """The table's source, for people: who rated the outlets and when."""
    data = json.loads(files(__package__).joinpath(f"{TABLE_ID}.json").read_text(encoding="utf-8"))
    return str(data["source"])


def lookup(outlet: str) -> OutletInfo | None:
    """What the table says about ``outlet``, or None when it does not know it."""
    return table().get(key(outlet))
