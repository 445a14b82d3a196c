"""Headline and summary, written by the model from verified facts, checked by code.

The summary may use only numbers the facts and conflicts contain, and a disputed figure must stand
next to its outlet with every other side's figure. When the model cannot do that, code writes it.
"""

from __future__ import annotations

import asyncio
import re

from pydantic import BaseModel, Field

from service.llm import LLM
from service.pipeline.injection import Screen, neutralise
from service.pipeline.numbers import number_values
from service.pipeline.tasks import TaskLog, ask_or_fallback
from service.pipeline.verify import unsupported_numbers, unsupported_quotes
from service.schemas import Conflict, Fact

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
        f"{p.value} according to {' and '.join(outlets.get(a, a) for a in p.article_ids)}" for p in conflict.positions
    ]
    return f"Reports differ on the {conflict.topic}: " + "; ".join(sides) + "."


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


def fallback_headline(facts: list[Fact]) -> str:
    """The strongest undisputed fact, cut to the headline length."""
    plain = [f for f in facts if f.status != "disputed"] or facts
    lead = plain[0].statement if plain else "Several outlets report on the same event"
    words = lead.rstrip(".").split()
    return " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")


def fallback(facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str]) -> HeadlineSummary:
    """Headline and summary composed by code from the top facts and the conflicts."""
    headline = fallback_headline(facts)
    body = [f.statement.rstrip(".") + "." for f in facts[:2] if f.status != "disputed"]
    body += [conflict_sentence(c, outlets) for c in conflicts[:2]]
    return HeadlineSummary(headline=headline, summary=" ".join(body))


FACTS_IN_PROMPT = 7


async def write_summary(
    llm: LLM,
    facts: list[Fact],
    conflicts: list[Conflict],
    outlets: dict[str, str],
    sem: asyncio.Semaphore,
    log: TaskLog,
    screen: Screen | None = None,
) -> tuple[HeadlineSummary, dict[str, str]]:
    """Headline and summary from the facts; code fixes or replaces what breaks the rules (including a
    sentence that carries what only a sentence ``screen`` left out said). Also says who wrote each part."""
    fact_lines = "\n".join(
        f"- ({f.status}, {f.sources} outlets) {neutralise(f.statement)}" for f in facts[:FACTS_IN_PROMPT]
    )
    conflict_lines = "\n".join(f"- {neutralise(conflict_sentence(c, outlets))}" for c in conflicts) or "- none"

    def check(value: HeadlineSummary) -> str | None:
        problems = summary_problems(f"{value.headline}. {value.summary}", facts, conflicts, outlets, screen)
        return "; ".join(problems) or None

    answer = await ask_or_fallback(
        llm,
        "headline_summary",
        {"facts": fact_lines, "conflicts": conflict_lines},
        HeadlineSummary,
        log,
        sem,
        max_tokens=280,  # 200 cut 3 of 11 eval summaries (1.5B); a cut reply falls back to code
        check=check,
        attempts=1,  # code repairs or replaces what breaks the rules; a second call would double the cost
    )
    if answer is None:
        hs = fallback(facts, conflicts, outlets)
        return hs, provenance(hs, facts, conflicts, outlets, model=False)
    fixed = repair(answer.value, facts, conflicts, outlets, screen)
    if fixed is None:
        log.warnings.append(f"headline/summary: model text rejected ({answer.problem}); written by code")
        hs = fallback(facts, conflicts, outlets)
        return hs, provenance(hs, facts, conflicts, outlets, model=False)
    if answer.problem:
        log.warnings.append(f"headline/summary: repaired by code ({answer.problem})")
    return fixed, provenance(fixed, facts, conflicts, outlets, model=True)


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


def repair(
    value: HeadlineSummary,
    facts: list[Fact],
    conflicts: list[Conflict],
    outlets: dict[str, str],
    screen: Screen | None = None,
) -> HeadlineSummary | None:
    """The model's headline and summary, mended by code: sentences that state a disputed figure are
    replaced by code sentences giving every side, sentences with a number no fact has, or a word only a
    screened-out sentence has, are dropped. None when what remains still breaks the rules (or nothing
    remains)."""
    disputed = {v for c in conflicts for p in c.positions for v in number_values(p.value)}
    sources = [f.statement for f in facts]
    kept = [
        s
        for s in _SENTENCE.split(value.summary.strip())
        if s.rstrip().endswith(_ENDS)
        and not (number_values(s) & disputed)
        and not unsupported_numbers(s, sources)
        and not unsupported_quotes(s, [*sources, *(c.quote for f in facts for c in f.citations)])
        and not (screen is not None and screen.carried(s))
    ]
    summary = " ".join([*kept, *(conflict_sentence(c, outlets) for c in conflicts[:2])])
    headline = value.headline.strip()
    if (
        not headline
        or number_values(headline) & disputed
        or summary_problems(headline, facts, conflicts, outlets, screen)
    ):
        headline = fallback_headline(facts)
    if not kept or summary_problems(summary, facts, conflicts, outlets, screen):
        return None
    return HeadlineSummary(headline=headline, summary=summary)
