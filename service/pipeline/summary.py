"""Headline and summary, written by the model from verified facts, checked by code.

The summary may use only numbers the facts and conflicts contain, and a disputed figure must stand
next to its outlet with every other side's figure. When the model cannot do that, code writes it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from service.pipeline.conflicts import summary_first
from service.pipeline.headline import fallback_headline
from service.pipeline.injection import Screen
from service.pipeline.numbers import number_values
from service.pipeline.verify import unsupported_numbers, unsupported_quotes
from service.schemas import Conflict, Fact

_OUTLET_COUNT = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|both)\s+(news\s+)?(outlets?|reports?|sources?|articles?)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ENDS = (".", "!", "?", '"', "”", "’")


class HeadlineSummary(BaseModel):
    headline: str = Field(..., description="At most 14 words, neutral.")
    summary: str = Field(..., description="2 to 4 neutral sentences.")


def conflict_sentence(conflict: Conflict, outlets: dict[str, str]) -> str:
    """One sentence that gives every side of a conflict with its outlets."""
    sides = [
        f"{_mid_sentence(p.value)} according to {' and '.join(outlets.get(a, a) for a in p.article_ids)}"
        for p in conflict.positions
    ]
    return f"Reports differ on the {conflict.topic}: " + "; ".join(sides) + "."


def _mid_sentence(value: str) -> str:
    """A figure as printed at the start of its sentence, put inside one: "At least 19,667" → "at least
    19,667", "Eighty" → "eighty" (a word in capitals, "U.S.", stays)."""
    first, _, rest = value.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".rstrip()


def summary_problems(
    text: str, facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str], screen: Screen | None = None
) -> list[str]:
    """Why a headline+summary text breaks the rules (empty when it is fine). With a ``screen``: a word
    that only a left-out instruction-like sentence uses is a claim no fact supports."""
    problems: list[str] = []
    if screen is not None and screen.carried(text):
        problems.append("it says something no fact says; use only the facts given")
    sources = [f.statement for f in facts] + [p.claim for c in conflicts for p in c.positions]
    extra = unsupported_numbers(_OUTLET_COUNT.sub("", text), sources)  # "two outlets" counts no news
    if extra:
        problems.append(f"numbers not in the facts: {', '.join(f'{v:g}' for v in extra)}")
    quoted = unsupported_quotes(text, [*sources, *(c.quote for f in facts for c in f.citations)])
    if quoted:
        problems.append(f"quotations not in the facts: {'; '.join(quoted)}")
    sentences = re.split(r"(?<=[.!?])\s+", text)
    for c in conflicts:
        for p in c.positions:
            values = number_values(p.value)
            for sent in sentences:
                if values and values <= number_values(sent):
                    names = [outlets.get(a, a) for a in p.article_ids]
                    if not any(n.lower() in sent.lower() for n in names):
                        problems.append(f"the figure {p.value} must be attributed to {' or '.join(names)}")
        mentioned = [p for p in c.positions if number_values(p.value) and number_values(p.value) <= number_values(text)]
        if mentioned and len(mentioned) < len(c.positions):
            problems.append(f"give every figure for the {c.topic} with its outlet, not only one")
    return problems


def fallback(facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str]) -> HeadlineSummary:
    """Headline and summary composed by code: what happened (the top undisputed facts), then the first
    disagreement with every side. Never only the disagreement lines."""
    headline = fallback_headline(facts)
    body = [f.statement.rstrip(".") + "." for f in facts if f.status != "disputed"][:2]
    body += [conflict_sentence(c, outlets) for c in summary_first(conflicts)[:1]]
    return HeadlineSummary(headline=headline, summary=" ".join(body))


def provenance(
    hs: HeadlineSummary, facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str], *, model: bool
) -> dict[str, str]:
    """Who wrote the headline and each summary sentence (``meta.provenance``): the model, or code (a fallback
    headline, a fact statement or a 'Reports differ' line put in by code). ``model`` False: all by code."""
    code_lines = [conflict_sentence(c, outlets) for c in conflicts]
    if not model:  # the code fallback also states facts; a fact the model copied is still the model's choice
        code_lines += [f.statement.rstrip(".") + "." for f in facts]
    by = {"headline": "model" if model and hs.headline != fallback_headline(facts) else "code"}
    rest, i = hs.summary.strip(), 0
    while rest:
        line = next((c for c in code_lines if rest.startswith(c)), None)
        if line is None:
            m = _SENTENCE.search(rest)
            line = rest[: m.start()] if m else rest
            by[f"summary[{i}]"] = "model" if model else "code"
        else:
            by[f"summary[{i}]"] = "code"
        rest, i = rest[len(line) :].lstrip(), i + 1
    return by
