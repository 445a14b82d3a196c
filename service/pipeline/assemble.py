"""Parts of the brief that code builds for every strategy: quotes, coverage, open questions, framing,
timeline and meta."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from service.pipeline.balance import apply_independence, balance
from service.pipeline.framing import framing
from service.pipeline.meaning import ACCORDING
from service.pipeline.timeline import timeline
from service.pipeline.types import Article, QuoteMention, Sentence
from service.schemas import (
    ArticleRef,
    Brief,
    CheckVerdict,
    Conflict,
    Coverage,
    Fact,
    LLMCall,
    Meta,
    PartyPosition,
    QuoteOut,
    ScreenedSentence,
)

MAX_QUOTES = 12


def quotes_out(mentions: list[QuoteMention], limit: int = MAX_QUOTES) -> list[QuoteOut]:
    """Direct quotes, one per distinct wording (the attributed copy wins), speakers first."""
    kept: list[QuoteMention] = []
    for q in sorted(mentions, key=lambda q: q.speaker is None):
        if any(fuzz.ratio(q.text.lower(), k.text.lower()) > 85 for k in kept):
            continue
        kept.append(q)
    return [
        QuoteOut(speaker=q.speaker, text=q.text, article_id=q.article_id, start=q.start, end=q.end)
        for q in kept[:limit]
    ]


def coverage(articles: list[Article], facts: list[Fact]) -> list[Coverage]:
    """Per article: the facts it supports and those only it supports."""
    out = []
    for a in articles:
        mine = [f for f in facts if any(c.article_id == a.id for c in f.citations)]
        out.append(
            Coverage(
                article_id=a.id,
                outlet=a.outlet,
                facts=[f.id for f in mine],
                single_source_facts=[f.id for f in mine if f.sources == 1],
            )
        )
    return out


_REPORTS = re.compile(r"^([A-Z][^,.]{0,60}?) reports that,? ")  # attribution.according_to's other form


def open_questions(facts: list[Fact], conflicts: list[Conflict], outlets: dict[str, str], limit: int = 5) -> list[str]:
    """Questions the articles leave open: which figure is right, and claims only one outlet makes."""
    questions = []
    for c in conflicts:
        sides = " or ".join(f"{p.value} ({', '.join(outlets.get(a, a) for a in p.article_ids)})" for p in c.positions)
        questions.append(f"Which figure for the {c.topic} is right: {sides}?")
    for f in facts:
        if f.status == "single-source" and len(questions) < limit:
            who = outlets.get(f.citations[0].article_id, f.citations[0].article_id)
            said = f.statement.rstrip(".")
            reports = _REPORTS.match(said)
            if ACCORDING.match(said):  # the attribution stays in the claim's own clause, said once
                questions.append(f"Can other sources confirm that, {said[:1].lower()}{said[1:]}?")
            elif reports:  # "NPR reports that the rate rose, according to the FBI"
                claim = said[reports.end() :]
                questions.append(f"Can other sources confirm that, as {reports.group(1)} reports, {claim}?")
            else:
                questions.append(f"Can other sources confirm what only {who} reports: {said}?")
    return questions[:limit]


@dataclass
class Draft:
    """What a strategy wrote or found: the brief's own text, facts, disagreements, stances and quotes; code
    derives the rest of the brief from them."""

    headline: str
    summary: str
    facts: list[Fact]
    conflicts: list[Conflict]
    positions: list[PartyPosition]
    quotes: list[QuoteMention]


def assemble(*, articles: list[Article], draft: Draft, meta: Meta, sentences: list[Sentence] | None = None) -> Brief:
    """The brief, with the parts code derives from facts and articles filled in (opinion pieces and press
    releases taken out of corroboration first); ``sentences``: the ones the screen kept, for the balance."""
    outlets = {a.id: a.outlet for a in articles}
    facts = apply_independence(draft.facts, articles)
    return Brief(
        headline=draft.headline,
        summary=draft.summary,
        facts=facts,
        conflicts=draft.conflicts,
        positions=draft.positions,
        quotes=quotes_out(draft.quotes),
        framing=framing(articles, facts),
        timeline=timeline(facts, {a.id: a for a in articles}),
        open_questions=open_questions(facts, draft.conflicts, outlets),
        coverage=coverage(articles, facts),
        articles=[article_ref(a) for a in articles],
        balance=balance(articles, facts, sentences),
        meta=meta,
    )


def article_ref(a: Article) -> ArticleRef:
    """An input article as the brief refers to it, with its outlet's lean and kind and who says so."""
    return ArticleRef(
        id=a.id,
        outlet=a.outlet,
        title=a.title,
        url=a.url,
        published=a.published,
        chars=len(a.text),
        lean=a.lean,  # type: ignore[arg-type]
        lean_source=a.lean_source,
        kind=a.kind,  # type: ignore[arg-type]
        kind_source=a.kind_source,
        country=a.country,
    )


def make_meta(
    *,
    backend: str,
    model: str,
    strategy: str,
    calls: list[LLMCall],
    seconds: float,
    stage_seconds: dict[str, float],
    warnings: list[str],
    request_id: str | None,
    provenance: dict[str, str] | None = None,
    checks: list[CheckVerdict] | None = None,
    screened: list[ScreenedSentence] | None = None,
) -> Meta:
    """Meta with token totals and the prompt versions actually used. When a fallback backend answered
    (the primary was unavailable), meta names the fallback and a warning says why."""
    versions = {c.task: c.prompt_version for c in calls}
    fell_back = [c for c in calls if c.fallback]
    if fell_back:
        backend, model = fell_back[-1].backend or backend, fell_back[-1].model
        notes = [f"{c.task}: answered by the fallback, {c.backend} model {c.model}; {c.fallback}" for c in fell_back]
        warnings = [*warnings, *notes]
    return Meta(
        request_id=request_id,
        backend=backend,
        model=model,
        strategy=strategy,
        prompt_versions=dict(sorted(versions.items())),
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        seconds=round(seconds, 3),
        stage_seconds={k: round(v, 3) for k, v in stage_seconds.items()},
        llm_calls=calls,
        warnings=warnings,
        provenance=provenance or {},
        checks=checks or [],
        screened=screened or [],
    )
