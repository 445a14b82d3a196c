"""Defence behind the injection screen, where it matters most: the headline and summary.

The pattern screen and code's reading of structure know the forms they were written for; a planted line in
other words passes them and, stated early in its article, ranks with the lead facts. A headline or summary
sentence rests on one fact, and a fact only one outlet reports rests on one outlet's sentence. So before the
model writes the lead, each such sentence that code marks as a suspect (it speaks of a summary, a writer, a
duty, a note or an "official" version, or is in another language than its article:
:func:`screen_check.suspect`) gets the model's yes/no of ``prompts/injection_check``, whatever the screen's
second layer is set to; and one the learnt screen (:mod:`screen_learnt`) scores over a looser bar than the
screen's own (:func:`lead_bar`: at most 1 % false alarms, cross-validated) is left out without a call. Most
lead sentences are plain reporting and cost no call; one so flagged leaves the lead and the facts, and joins
the screen's report with its reason, for the editor.
A false alarm costs a lead sentence, never the story: the other outlets' facts still carry it.
Below that bar, a one-outlet fact whose sentence still scores over a softer one (:func:`summary_bar`: at most
2.5 % false alarms, cross-validated) is only kept out of the headline and summary (:func:`doubtful`): it stays
among the facts, attributed to its outlet, and no model call is spent on it.
"""

from __future__ import annotations

from functools import cache

from service.pipeline.injection import CODE_CHECK, MODEL_CHECK, Screen
from service.pipeline.screen_check import ModelScreen, article_languages, learnt_probability, suspect
from service.pipeline.screen_learnt import learnt_screen
from service.pipeline.types import Sentence
from service.schemas import Conflict, Fact

LEAD_MAX_FALSE_ALARMS = 0.01  # the lead guard's bar: cross-validated false alarms of the learnt screen, at most
# A softer bar, for what only decides where a one-outlet fact goes: over it, the fact keeps its place in the facts
# but is not stated in the headline or summary (nothing is left out, nothing is shown as screened), so a false
# alarm costs little and the bar can be low.
SUMMARY_MAX_FALSE_ALARMS = 0.025
REASON = "a sentence the headline or summary would rest on, which only one outlet prints, reads as an instruction"


def _bar(max_rate: float) -> float:
    """The learnt screen's lowest threshold whose cross-validated false alarms (near misses and real AllSides
    sentences, each development half held out in turn) stay at or under ``max_rate``. It follows the weights:
    retrained weights bring their own table (``crossbrief eval train-screen``)."""
    table = learnt_screen().meta["by_threshold"]
    ok = [float(t) for t, (_, _, alarms, negatives) in table.items() if alarms / negatives <= max_rate]
    return min(ok, default=learnt_screen().threshold)


@cache
def lead_bar() -> float:
    """The lead guard's bar (:data:`LEAD_MAX_FALSE_ALARMS`): a looser one than the screen's own, for the few
    one-outlet sentences a headline or summary would rest on."""
    return _bar(LEAD_MAX_FALSE_ALARMS)


@cache
def summary_bar() -> float:
    """The bar over which a one-outlet fact stays out of the headline and summary (:data:`SUMMARY_MAX_FALSE_ALARMS`)."""
    return _bar(SUMMARY_MAX_FALSE_ALARMS)


def lead_learnt(text: str) -> bool:
    """Whether the learnt screen gives ``text`` at least :func:`lead_bar`: in the screen, a sentence is left out
    at the learnt layer's own threshold (few false alarms anywhere); in the lead, where one outlet's planted line
    would do most harm, a sentence over the looser bar stays out of the headline and summary."""
    p = learnt_probability(text)
    return p is not None and p >= lead_bar()


def doubtful(fact: Fact) -> bool:
    """Whether ``fact`` is one outlet's and a sentence it cites scores at least :func:`summary_bar` (and under
    :func:`lead_bar`, over which :func:`guard_lead` leaves the sentence out altogether): a line planted in words no
    screen layer flags still reads more like one than news does, and the brief's headline and summary need not
    rest on it. It stays among the facts, attributed to its outlet."""
    return fact.sources < 2 and any(summary_bar() <= _p(c.quote) < lead_bar() for c in fact.citations)


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
    """Sentence id → kind for each sentence of a one-outlet fact in ``facts`` that the model reads as an
    instruction to whoever writes the summary (asked only about code's suspects, with the sentence before
    it in its article as context, as the screen asks; cached per process)."""
    by_span = {(s.article_id, s.start): s for s in screen.clean}
    cited = {s.id: s for f in facts if f.sources < 2 and f.status != "disputed" for s in _cited(f, by_span)}
    if not cited:
        return {}
    langs = article_languages(screen.clean)
    flagged: dict[str, str] = {}
    for s in cited.values():  # few are suspects: most lead sentences plainly report
        if lead_learnt(s.text):
            flagged[s.id] = CODE_CHECK
            continue
        if suspect(s.text, langs.get(s.article_id, "en")) is None:
            continue
        before = per_article[s.article_id][s.index - 1].text if s.index else ""
        if await check.is_instruction(before, s.text):
            flagged[s.id] = MODEL_CHECK
    return flagged


def withheld_screen(screen: Screen, sentences: list[Sentence], flagged: dict[str, str]) -> Screen:
    """``screen`` over ``sentences`` (every sentence, in order) with the lead's ``flagged`` sentences left out
    too, each with :data:`REASON`."""
    return screen.widened(sentences, flagged, {sid: REASON for sid in flagged})


def cites(fact: Fact, screen: Screen) -> bool:
    """Whether ``fact`` cites a sentence ``screen`` leaves out."""
    return any(screen.touches(c.article_id, c.start, c.end) for c in fact.citations)
