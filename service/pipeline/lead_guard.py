"""Defence behind the injection screen, where it matters most: the headline and summary.

The pattern screen and code's reading of structure know the forms they were written for; a planted line in
other words passes them and, stated early in its article, ranks with the lead facts. A headline or summary
sentence rests on one fact, and a fact only one outlet reports rests on one outlet's sentence. Such a fact is
*held* (kept among the facts, attributed to its outlet, but out of the headline and summary) when:

- a sentence it cites scores over a bar the learnt screen (:mod:`screen_learnt`) sets lower than its own
  (:func:`summary_bar`: at most 2.5 % false alarms, cross-validated): :func:`doubtful`, no model call; or
- the summary would rest on it and a sentence it cites is one code marks as a suspect (it speaks of a summary, a
  writer, a duty, a note or an "official" version, or is in another language than its article:
  :func:`screen_check.suspect`) and the model's yes/no of ``prompts/injection_check`` calls an instruction,
  whatever the screen's second layer is set to (:func:`guard_lead`).

Nothing is left out of the brief here: what the screen's own threshold lets through is news as often as not (on
the eval suite's real articles the 1.5B model called two reported orders of a vaccine memo instructions, and the
learnt screen scored a per-service vaccination figure over a looser bar), so a false alarm here costs a fact its
place in the summary, never the fact; the other outlets' facts still carry the story. ``meta.warnings`` says
which fact was held and why.
"""

from __future__ import annotations

from functools import cache

from service.pipeline.injection import Screen
from service.pipeline.screen_check import ModelScreen, article_languages, learnt_probability, suspect
from service.pipeline.screen_learnt import learnt_screen
from service.pipeline.types import Sentence
from service.schemas import Conflict, Fact

# The learnt screen's bar for what only decides where a one-outlet fact goes: over it, the fact keeps its place in the
# facts but is not stated in the headline or summary (nothing is left out, nothing is shown as screened), so a
# false alarm costs little and the bar can be low.
SUMMARY_MAX_FALSE_ALARMS = 0.025
HELD = "kept out of the headline and summary"  # how meta.warnings names a held fact (staged._guarded_lead)


def _bar(max_rate: float) -> float:
    """The learnt screen's lowest threshold whose cross-validated false alarms (near misses and real AllSides
    sentences, each development half held out in turn) stay at or under ``max_rate``. It follows the weights:
    retrained weights bring their own table (``crossbrief eval train-screen``)."""
    table = learnt_screen().meta["by_threshold"]
    ok = [float(t) for t, (_, _, alarms, negatives) in table.items() if alarms / negatives <= max_rate]
    return min(ok, default=learnt_screen().threshold)


@cache
def summary_bar() -> float:
    """The bar over which a one-outlet fact stays out of the headline and summary (:data:`SUMMARY_MAX_FALSE_ALARMS`)."""
    return _bar(SUMMARY_MAX_FALSE_ALARMS)


def doubtful(fact: Fact) -> bool:
    """Whether ``fact`` is one outlet's and a sentence it cites scores at least :func:`summary_bar` (and under
    the screen's own threshold, over which the sentence is left out altogether): a line planted in words no
    screen layer flags still reads more like one than news does, and the brief's headline and summary need not
    rest on it. It stays among the facts, attributed to its outlet."""
    return fact.sources < 2 and any(_p(c.quote) >= summary_bar() for c in fact.citations)


def doubtful_conflict(conflict: Conflict) -> bool:
    """Whether one side of ``conflict`` is one outlet's figure in a sentence that scores at least
    :func:`summary_bar`: the disagreement is still shown among the brief's disagreements, not in its summary."""
    return any(len(p.article_ids) < 2 and _p(p.quote) >= summary_bar() for p in conflict.positions)


def _p(text: str) -> float:
    """The learnt screen's probability, 0 for a sentence too short to judge."""
    return learnt_probability(text) or 0.0


def _cited(fact: Fact, by_span: dict[tuple[str, int], Sentence]) -> list[Sentence]:
    return [s for c in fact.citations if (s := by_span.get((c.article_id, c.start))) is not None]


async def guard_lead(
    facts: list[Fact], screen: Screen, per_article: dict[str, list[Sentence]], check: ModelScreen
) -> dict[str, str]:
    """Fact id → the text of its sentence, for each one-outlet fact in ``facts`` (those the summary would rest
    on) one of whose sentences is a code suspect that the model reads as an instruction to whoever writes the
    summary (with the sentence before it in its article as context, as the screen asks; cached per process)."""
    by_span = {(s.article_id, s.start): s for s in screen.clean}
    langs = article_languages(screen.clean)
    flagged: dict[str, str] = {}
    for f in facts:  # few are suspects: most lead sentences plainly report, and cost no call
        if f.sources >= 2 or f.status == "disputed":
            continue
        for s in _cited(f, by_span):
            if suspect(s.text, langs.get(s.article_id, "en")) is None:
                continue
            before = per_article[s.article_id][s.index - 1].text if s.index else ""
            if await check.is_instruction(before, s.text):
                flagged[f.id] = s.text
                break
    return flagged
