"""Defence behind the injection screen, where it matters most: the headline and summary.

The pattern screen and code's reading of structure know the forms they were written for; a planted line in
other words passes them and, stated early in its article, ranks with the lead facts. A headline or summary
sentence rests on one fact, and a fact only one outlet reports rests on one outlet's sentence. So before the
model writes the lead, each such sentence that code marks as a suspect (it speaks of a summary, a writer, a
duty, a note or an "official" version, or is in another language than its article:
:func:`screen_check.suspect`) gets the model's yes/no of ``prompts/injection_check``, whatever the screen's
second layer is set to. Most lead sentences are plain reporting and cost no call; one the model calls an
instruction leaves the lead and the facts, and joins the screen's report with its reason, for the editor.
A false alarm costs a lead sentence, never the story: the other outlets' facts still carry it.
"""

from __future__ import annotations

from service.pipeline.injection import MODEL_CHECK, Screen
from service.pipeline.screen_check import ModelScreen, article_languages, suspect
from service.pipeline.types import Sentence
from service.schemas import Fact

REASON = "a sentence the headline or summary would rest on, which only one outlet prints, reads as an instruction"


def _cited(fact: Fact, by_span: dict[tuple[str, int], Sentence]) -> list[Sentence]:
    return [s for c in fact.citations if (s := by_span.get((c.article_id, c.start))) is not None]


async def guard_lead(facts: list[Fact], screen: Screen, check: ModelScreen) -> dict[str, str]:
    """Sentence id → kind for each sentence of a one-outlet fact in ``facts`` that the model reads as an
    instruction to whoever writes the summary (asked only about code's suspects; cached per process)."""
    sentences = screen.clean
    by_span = {(s.article_id, s.start): s for s in sentences}
    before: dict[str, Sentence | None] = {}
    previous: dict[str, Sentence] = {}
    for s in sorted(sentences, key=lambda s: (s.article_id, s.start)):
        before[s.id] = previous.get(s.article_id)
        previous[s.article_id] = s
    langs = article_languages(sentences)
    asks = [
        s
        for f in facts
        if f.sources < 2 and f.status != "disputed"
        for s in _cited(f, by_span)
        if suspect(s.text, langs.get(s.article_id, "en")) is not None
    ]
    asks = list({s.id: s for s in asks}.values())
    flagged: dict[str, str] = {}
    for s in asks:  # few: most lead sentences are no suspects
        b = before[s.id]
        if await check.is_instruction(b.text if b else "", s.text):
            flagged[s.id] = MODEL_CHECK
    return flagged


def withheld_screen(screen: Screen, flagged: dict[str, str]) -> Screen:
    """``screen`` with the lead's ``flagged`` sentences left out too, each with :data:`REASON`."""
    both = [*screen.clean, *screen.flagged_sentences]
    order = {aid: n for n, aid in enumerate(dict.fromkeys(s.article_id for s in both))}  # the request's order
    every = sorted(both, key=lambda s: (order[s.article_id], s.start))
    return screen.widened(every, flagged, {sid: REASON for sid in flagged})


def cites(fact: Fact, screen: Screen) -> bool:
    """Whether ``fact`` cites a sentence ``screen`` leaves out."""
    return any(screen.touches(c.article_id, c.start, c.end) for c in fact.citations)
