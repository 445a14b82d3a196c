"""Headline and summary, written by the model from verified facts, checked by code.

The summary may use only numbers the facts and conflicts contain, and a disputed figure must stand
next to its outlet with every other side's figure. When the model cannot do that, code writes it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from service.pipeline.clean import ends_on
from service.pipeline.injection import Screen
from service.pipeline.numbers import number_values
from service.pipeline.verify import unsupported_numbers, unsupported_quotes
from service.schemas import Conflict, Fact
from service.text import CALENDAR as _CALENDAR
from service.text import lexicons

HEADLINE_WORDS = 14
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


CLAUSE = re.compile(r",\s+(?:which|who|while|as|after|but|and|according|where|with)\b|;\s+|\s+[—–]\s+")
_SUBCLAUSE = re.compile(
    r"\s+(?:that|which|who|in order to|because|while|after|as part of|amid|despite|for the first time)\s+"
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")


def shorten_headline(text: str) -> str:
    """A headline over the word limit without its main clause's trailing phrases ("... charges X and Y with
    evading taxes" → "... charges X and Y"): the main clause before ", which", a dash..., then the part before
    "that", "which", "because"..., then cut before its last preposition until it fits."""
    text = CLAUSE.split(text)[0].strip()
    if len(text.split()) > HEADLINE_WORDS:
        main = _SUBCLAUSE.split(text)[0].strip()  # "... open to any initiative that contributes to ..."
        text = main if len(main.split()) >= 4 else text
    while len(text.split()) > HEADLINE_WORDS:
        shorter = _last_phrase_cut(text)
        if shorter is None:
            break
        text = shorter
    return _DANGLING_TAIL.sub("", text) if len(_DANGLING_TAIL.sub("", text).split()) >= 4 else text


# a cut that leaves a clause without its object: "... tragedy as authorities search"
_DANGLING_TAIL = re.compile(r",?\s+(?:as|while|when|because|and|but|after|before|since|until)(?:\s+\S+){1,2}$")


def _last_phrase_cut(text: str) -> str | None:
    """``text`` cut before its last preposition, when at least five words remain."""
    words = text.split()
    for n in range(len(words) - 1, 4, -1):
        if words[n].lower() == "to" and words[n - 1].lower().endswith("ing"):
            continue  # "immigrants trying to cross": cutting there leaves "immigrants trying"
        if words[n].lower() in _PREPOSITIONS:
            return " ".join(words[:n]).rstrip(",;:")
    return None


_PREPOSITIONS = lexicons.words("prepositions")


_DANGLING_END = lexicons.words("dangling_ends") | lexicons.words("headline_ends")  # "… announced" is a cut


def needs_more(text: str) -> bool:
    """Whether a headline ends on a word that needs more ("to", "the", "announced")."""
    return ends_on(text, _DANGLING_END)


def complete_phrase(text: str, disputed: frozenset[float] | set[float] = frozenset()) -> bool:
    """Whether ``text`` reads as a whole headline: 4 to 14 words, quotes closed, not ending on a word that
    needs more ("to", "and", "the"...), no ``disputed`` figure."""
    words = text.split()
    return (
        4 <= len(words) <= HEADLINE_WORDS
        and not text.endswith(("…", "...", ",", ";", ":"))
        and text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and not ends_on(text, _DANGLING_END)
        and not (number_values(text) & disputed)
    )




def fallback_headline(facts: list[Fact], disputed: set[float] | None = None) -> str:
    """A complete headline by code, never a cut sentence and never a ``disputed`` figure: of the top undisputed
    facts in rank order, the first that is short enough or whose main clause (the part before ", which",
    ", while", a dash...) is; else the first whose clause fits up to "that", "because"... or once its trailing
    phrases are cut; else the names the top facts share ("Reports on Hamas, Israel and Qatar"; a
    weekday or month is not a name)."""
    plain = [f.statement.strip().rstrip(".") for f in facts if f.status != "disputed"][:4]
    clauses = [(t, CLAUSE.split(t)[0]) for t in plain]
    whole = [text for fact, main in clauses for text in (fact, main)]
    cut = [text for fact, main in clauses for text in (_SUBCLAUSE.split(main)[0], shorten_headline(fact))]
    for text in whole + cut:  # a whole clause of any top fact before a phrase cut off the first
        if complete_phrase(text, disputed or set()):
            return text
    names: dict[str, int] = {}
    for f in [f for f in facts if f.status != "disputed"][:6]:  # not the "according to <outlet>" lines
        for m in _NAME.finditer(f.statement):
            if m.start() > 0 and m.group(0) not in _CALENDAR:
                names[m.group(0)] = names.get(m.group(0), 0) + 1
    top = [n for n, _ in sorted(names.items(), key=lambda kv: -kv[1])][:3]
    if not top:
        return "Several outlets report on the same event"
    return "Reports on " + (", ".join(top[:-1]) + " and " + top[-1] if len(top) > 1 else top[0])


def fallback(facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str]) -> HeadlineSummary:
    """Headline and summary composed by code: what happened (the top undisputed facts), then the first
    disagreement with every side. Never only the disagreement lines."""
    headline = fallback_headline(facts)
    body = [f.statement.rstrip(".") + "." for f in facts if f.status != "disputed"][:2]
    body += [conflict_sentence(c, outlets) for c in conflicts[:1]]
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
