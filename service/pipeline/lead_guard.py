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
