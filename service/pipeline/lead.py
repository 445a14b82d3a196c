"""Headline and summary for the staged brief: the model writes them from numbered facts, naming the facts
each sentence rests on; every sentence is checked on its own and a failing one is dropped, never the whole.

Checks, per sentence: complete; figures and quotations that its facts contain; a figure outlets dispute only
with every side and its outlet; no loaded term without attribution; nothing only a screened-out sentence
says; and the meaning check (``support``) against the facts it names. The headline also: at most 14 words,
no disputed figure, no first or second person. Code writes only what the model could not: a complete
headline from the lead fact, lead facts when fewer than two sentences survive, and the first disagreement
as a "Reports differ" line when no kept sentence gives it.
"""

from __future__ import annotations

import asyncio
import re

from pydantic import BaseModel, Field

from service.llm import LLM
from service.pipeline.clean import is_cut
from service.pipeline.injection import Screen, neutralise
from service.pipeline.numbers import number_values
from service.pipeline.summary import HEADLINE_WORDS, conflict_sentence, fallback_headline, shorten_headline
from service.pipeline.support import SupportChecker
from service.pipeline.tasks import TaskLog, ask_or_fallback
from service.pipeline.verify import support_ratio, unattributed_terms, unsupported_numbers, unsupported_quotes
from service.schemas import Conflict, Fact

FACTS_IN_PROMPT = 9
LEAD_TOKENS = 480  # 320 cut 1 of 7 replies (1.5B, three sentences that copied long facts)
SUMMARY_SENTENCES = 4
MIN_SENTENCES = 2
_ENDS = (".", "!", "?", '"', "”", "’")
_PERSONAL = re.compile(r"\b(I|[Ww]e|[Oo]ur|us|[Mm]y|[Yy]ou|[Yy]our)\b")  # "US" is a country
_LABEL = re.compile(r"^\s*[A-Z][\w ]{0,25}:\s")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,%$-]*")


def complete(text: str) -> str:
    """A sentence the model ended without a full stop gets one; a cut one stays as it is (and fails)."""
    text = text.strip()
    if text and not text.endswith((*_ENDS, ",", ";", ":", "-", "…")) and not is_cut(text):
        return text + "."
    return text


class SummarySentence(BaseModel):
    facts: list[str] = Field(..., description="Ids of the one or two facts the sentence rests on, e.g. ['f3'].")
    text: str = Field(..., description="One sentence from those facts only.")


class Lead(BaseModel):
    headline_facts: list[str] = Field(..., description="Id of the fact that is the main development.")
    headline: str = Field(..., description="At most 12 words, from that fact only.")
    sentences: list[SummarySentence] = Field(..., description="Three sentences, the main development first.")


def disputed_values(conflicts: list[Conflict]) -> set[float]:
    """Figures that one side of a disagreement gives and another does not."""
    out: set[float] = set()
    for c in conflicts:
        sides = [number_values(p.value) for p in c.positions]
        if sides and all(sides):
            out |= set().union(*sides) - sides[0].intersection(*sides[1:])
    return out


def figure_problem(text: str, conflicts: list[Conflict], outlets: dict[str, str]) -> str | None:
    """A disputed figure given without every side and outlet."""
    values = number_values(text)
    for c in conflicts:
        mentioned = [p for p in c.positions if number_values(p.value) and number_values(p.value) <= values]
        if not mentioned:
            continue
        if len(mentioned) < len(c.positions):
            return f"gives one side of the disagreement on the {c.topic}"
        for p in c.positions:
            names = [outlets.get(a, a) for a in p.article_ids]
            if not any(n.lower() in text.lower() for n in names):
                return f"the figure {p.value} is not attributed to {' or '.join(names)}"
    return None


def headline_problem(text: str, disputed: set[float]) -> str | None:
    """Why a headline cannot stand, by form alone."""
    words = _WORD.findall(text)
    if not words:
        return "empty"
    if len(words) > HEADLINE_WORDS:
        return f"{len(words)} words"
    if is_cut(text) or text.rstrip().endswith((",", ":", ";", "-")):
        return "cut off"
    if _LABEL.match(text):
        return "starts with a label"
    if _PERSONAL.search(text):
        return "first or second person"
    if number_values(text) & disputed:
        return "a figure outlets disagree on"
    return None


class LeadWriter:
    """Writes and checks the headline and summary of one brief."""

    def __init__(
        self,
        llm: LLM,
        facts: list[Fact],
        conflicts: list[Conflict],
        outlets: dict[str, str],
        sem: asyncio.Semaphore,
        log: TaskLog,
        screen: Screen | None = None,
        loaded: tuple[str, ...] = (),
    ) -> None:
        self.llm, self.facts, self.conflicts, self.outlets = llm, facts, conflicts, outlets
        self.sem, self.log, self.screen, self.loaded = sem, log, screen, loaded
        self.by_id = {f.id: f for f in facts}
        self.checker = SupportChecker(llm, sem, log)
        self.disputed = disputed_values(conflicts)

    def prompt_facts(self) -> list[Fact]:
        """Undisputed facts first (rank order), then the disagreements."""
        plain = [f for f in self.facts if f.status != "disputed"][: FACTS_IN_PROMPT - 2]
        disputed = [f for f in self.facts if f.status == "disputed"][:2]
        return (plain + disputed)[:FACTS_IN_PROMPT]

    def evidence(self, ids: list[str], text: str) -> list[Fact]:
        """The facts a sentence names and the two it shares most words with."""
        named = [self.by_id[i] for i in dict.fromkeys(i.strip() for i in ids) if i.strip() in self.by_id]
        ranked = sorted(self.facts, key=lambda f: support_ratio(text, [f.statement]), reverse=True)
        return named + [f for f in ranked[:2] if f not in named]  # small models often name a wrong id

    def form_problem(self, text: str, facts: list[Fact], min_words: int = 4) -> str | None:
        """Exact checks of a summary sentence (what code can tell without reading for meaning)."""
        if len(_WORD.findall(text)) < min_words or not text.rstrip().endswith(_ENDS) or is_cut(text):
            return "not a complete sentence"
        sources = [f.statement for f in facts] + [c.quote for f in facts for c in f.citations]
        numbers = unsupported_numbers(text, sources)
        if numbers:
            return f"figures its facts do not give: {', '.join(f'{v:g}' for v in numbers)}"
        quoted = unsupported_quotes(text, sources)
        if quoted:
            return f"a quotation its facts do not have: {quoted[0][:50]}"
        figure = figure_problem(text, self.conflicts, self.outlets)
        if figure:
            return figure
        if _PERSONAL.search(re.sub(r"[\"“][^\"“”]*[\"”]", " ", text)):
            return "first or second person outside a quotation"
        terms = unattributed_terms(text, self.loaded)
        if terms:
            return f"loaded term without attribution: {terms[0]}"
        if self.screen is not None and self.screen.carried(text):
            return "says what only a screened-out sentence says"
        return None

    async def keep(self, item: str, text: str, facts: list[Fact]) -> bool:
        """Whether a model sentence passes the exact checks and the meaning check."""
        problem = self.form_problem(text, facts)
        if problem:
            self.log.warnings.append(f"{item}: model sentence dropped ({problem}): {text[:80]}")
            return False
        sources = [f.statement for f in facts]
        if not await self.checker.check(item, text, sources):
            self.log.warnings.append(f"{item}: model sentence dropped (its facts do not support it): {text[:80]}")
            return False
        return True

    async def write(self) -> tuple[str, str, dict[str, str]]:
        """(headline, summary, provenance of the headline and each summary sentence)."""
        shown = self.prompt_facts()
        lines = "\n".join(
            f"[{f.id}] ({'disagreement' if f.status == 'disputed' else f'{f.sources} outlets'}) "
            f"{neutralise(f.statement)}"
            for f in shown
        )
        answer = await ask_or_fallback(
            self.llm, "brief_lead", {"facts": lines}, Lead, self.log, self.sem, max_tokens=LEAD_TOKENS, attempts=1
        )
        lead = answer.value if answer else None
        (headline, by_headline), (summary, by) = await asyncio.gather(self._headline(lead), self._summary(lead))
        return headline, " ".join(summary), {"headline": by_headline, **by}

    async def _headline(self, lead: Lead | None) -> tuple[str, str]:
        if lead is not None:
            text = lead.headline.strip().rstrip(".")
            if len(_WORD.findall(text)) > HEADLINE_WORDS:  # a long headline keeps its main clause
                text = shorten_headline(text)
            named = [self.by_id[i] for i in lead.headline_facts if i in self.by_id]
            facts = named or self.evidence([], text)  # the headline rests on its lead fact alone
            problem = headline_problem(text, self.disputed) or self.form_problem(text + ".", facts, min_words=3)
            if problem is None and await self.checker.check("headline", text, [f.statement for f in facts]):
                return text, "model"
            why = problem or "its fact does not support it"
            self.log.warnings.append(f"headline: model headline replaced by code ({why}): {text[:80]}")
        return fallback_headline(self.facts, self.disputed), "code"

    async def _summary(self, lead: Lead | None) -> tuple[list[str], dict[str, str]]:
        proposed = [s for s in (lead.sentences if lead else [])[:SUMMARY_SENTENCES] if s.text.strip()]
        verdicts = await asyncio.gather(
            *(
                self.keep(f"summary[{n}]", complete(s.text), self.evidence(s.facts, s.text))
                for n, s in enumerate(proposed)
            )
        )
        kept = [complete(s.text) for s, ok in zip(proposed, verdicts, strict=True) if ok]
        kept = [t for n, t in enumerate(kept) if not any(support_ratio(t, [o]) > 0.9 for o in kept[:n])]
        out = [(t, "model") for t in kept]
        if len(out) < MIN_SENTENCES:  # the lead facts, stated as the outlets did
            for f in self.facts:
                if len(out) >= MIN_SENTENCES:
                    break
                if f.status != "disputed" and all(support_ratio(f.statement, [t]) < 0.6 for t, _ in out):
                    out.append((f.statement.rstrip(".") + ".", "code"))
        given = " ".join(t for t, _ in out)
        for c in self.conflicts[:1]:
            if figure_problem(given, [c], self.outlets) is None and any(
                number_values(p.value) <= number_values(given) for p in c.positions if number_values(p.value)
            ):
                continue  # a kept sentence gives this disagreement with every side
            out.append((conflict_sentence(c, self.outlets), "code"))
        return [t for t, _ in out], {f"summary[{n}]": by for n, (_, by) in enumerate(out)}
