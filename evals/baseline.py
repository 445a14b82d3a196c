"""The plain one-prompt baseline: every article in one structured prompt, the model's draft taken as it is
(no screen, no verification, nothing dropped or rewritten by code). It is a peer in eval reports, so every
change to the pipeline is seen against what one prompt alone gives on the same model."""

from __future__ import annotations

import time

from service.llm import LLM
from service.pipeline.assemble import Draft, assemble, make_meta
from service.pipeline.select import FACTS_FOR_LENGTH
from service.pipeline.single import MAX_TOKENS, DraftCitation, SingleDraft, article_blocks
from service.pipeline.types import Article
from service.pipeline.verify import locate
from service.schemas import Brief, Citation, Conflict, ConflictPosition, Fact, Length, PartyPosition


def _citations(drafts: list[DraftCitation], articles: dict[str, Article]) -> list[Citation]:
    """The model's citations as given: located in the article where the quote is found, else at offset 0 (the
    citation_validity metric then counts it as not found)."""
    out = []
    for d in drafts:
        art = articles.get(d.article_id)
        found = locate(art, d.quote) if art else None
        out.append(found or Citation(article_id=d.article_id, quote=d.quote, start=0, end=0))
    return out


async def baseline_brief(articles: list[Article], llm: LLM, *, length: Length = "medium") -> Brief:
    """One prompt (the ``single_brief`` prompt), one call, the draft as the brief."""
    started = time.perf_counter()
    by_id = {a.id: a for a in articles}
    blocks = article_blocks(articles)  # no screen: the baseline is one plain prompt
    answer = await llm.ask(
        "single_brief",
        {"articles": blocks, "ids": ", ".join(by_id), "max_facts": str(FACTS_FOR_LENGTH[length])},
        SingleDraft,
        max_tokens=MAX_TOKENS[length],
        attempts=1,
    )
    draft = answer.value
    facts = []
    for n, df in enumerate(draft.facts, start=1):
        cites = _citations(df.citations, by_id)
        ids = {c.article_id for c in cites}
        status = "corroborated" if len(ids) > 1 else "single-source"
        facts.append(Fact(id=f"f{n}", statement=df.statement, status=status, sources=len(ids), citations=cites))
    conflicts = [
        Conflict(
            id=f"k{n}",
            topic=dc.topic,
            positions=[
                ConflictPosition(article_ids=p.article_ids, value=p.value, claim=p.quote, quote=p.quote)
                for p in dc.positions
            ],
        )
        for n, dc in enumerate(draft.conflicts, start=1)
    ]
    parties = [
        PartyPosition(party=p.party, stance=p.stance, citations=_citations(p.citations, by_id)) for p in draft.parties
    ]
    by = {"headline": "model", "summary[0]": "model", **{f"facts[{f.id}]": "model" for f in facts}}
    meta = make_meta(
        backend=llm.backend,
        model=llm.model_name,
        strategy="baseline",
        calls=[answer.call],
        seconds=time.perf_counter() - started,
        stage_seconds={"llm_tasks": answer.call.seconds},
        warnings=[],
        request_id=None,
        provenance=by,
    )
    return assemble(
        articles=articles, draft=Draft(draft.headline, draft.summary, facts, conflicts, parties, []), meta=meta
    )
