"""Figures a headline can go without: one that only qualifies the next word ("Biden's $1.2 trillion
infrastructure package"), a sum of money "in" something, an age between commas (:func:`drop_figures`)."""

from __future__ import annotations

import re

from service.pipeline.meaning import HEDGES
from service.pipeline.numbers import COUNT_WORDS, number_values
from service.text import lexicons

_PREPOSITIONS = lexicons.words("prepositions")

# "$1.2 trillion ", "30% ", "eight " before the word it qualifies: a detail a headline can go without (not the
# minutes of "6:30 a.m." or the 19 of "COVID-19")
_FIGURE_MODIFIER = re.compile(
    rf"(?:\b(?:{HEDGES})\s+)?"
    rf"(?:(?:\$|US\$|€|£)?(?<![\d:.,/-])(?<!No\.\s)\d[\d,.]*(?:\s*(?:%|percent|million|billion|trillion))?|\b(?:{COUNT_WORDS})s?)"
    r"\s+(?=[a-z])",
    re.I,
)
_AGE = re.compile(r",\s+(\d{1,3}),(?=\s)")  # "Samuel Cassidy, 57, attacked": an age between commas


_MONEY_IN = re.compile(
    rf"(?:\b(?:{HEDGES})\s+)?(?:\$|US\$|€|£)\d[\d,.]*(?:\s*(?:million|billion|trillion))?\s+in\s+(?=[a-z])", re.I
)
_BEING = re.compile(r"\b(?:there\s+)?(?:were|was|are|is|be|been)\s+$", re.I)
_COUNTED_ONLY = lexicons.words("counted_only")


def drop_figures(text: str, figures: set[float]) -> str:
    """``text`` without the figures of ``figures`` that only qualify the next word ("advance Biden's $1.2 trillion
    infrastructure package" → "advance Biden's infrastructure package"); a figure that is the object of its
    verb or phrase ("kills 12", "kills 12 in Texas") stays, so the headline still fails. A sum of money "in"
    something is that thing's size: "consider as much as $2.9 trillion in tax hikes" → "consider tax hikes"."""

    def drop(m: re.Match[str]) -> str:
        after = text[m.end() :].split(maxsplit=1)
        being = _BEING.search(text[: m.start()])  # "There were nearly 190,000 migrant encounters": the news itself
        word = after[0].lower().strip(",.;:'\"”’") if after else ""
        qualifies = bool(word) and word not in _PREPOSITIONS | {"of"} | _COUNTED_ONLY and not being
        money_in = m.re is _MONEY_IN and not being
        if number_values(m.group(0)) & figures and (qualifies or money_in):
            return ""
        return m.group(0)

    def age(m: re.Match[str]) -> str:
        return "" if float(m.group(1)) in figures else m.group(0)

    return _FIGURE_MODIFIER.sub(drop, _MONEY_IN.sub(drop, _AGE.sub(age, text)))
