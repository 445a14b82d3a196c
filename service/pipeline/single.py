"""The single strategy: one structured prompt for the whole brief (for strong models), then the same
verification as the staged strategy: unfound quotes and unsupported numbers are dropped."""

from __future__ import annotations

from pydantic import BaseModel

from service.llm import LLM
from service.pipeline.assemble import Draft
from service.pipeline.injection import Screen, attr, neutralise
from service.pipeline.numbers import number_values
from service.pipeline.select import FACTS_FOR_LENGTH, fact_status
from service.pipeline.stages import BriefRun, finish, screen_articles, screened_quotes
from service.pipeline.summary import HeadlineSummary, fallback, provenance, summary_problems
from service.pipeline.types import Article
from service.pipeline.verify import locate, unsupported_claims, verbatim_copy
from service.schemas import Brief, Citation, Conflict, ConflictPosition, Fact, Length, PartyPosition

MAX_TOKENS: dict[str, int] = {"short": 1024, "medium": 1536, "long": 3072}


class DraftCitation(BaseModel):
    article_id: str
    quote: str


class DraftFact(BaseModel):
    statement: str
    citations: list[DraftCitation]


class DraftPosition(BaseModel):
    article_ids: list[str]
    value: str
    quote: str


class DraftConflict(BaseModel):
    topic: str
    positions: list[DraftPosition]


class DraftParty(BaseModel):
    party: str
    stance: str
    citations: list[DraftCitation]


class SingleDraft(BaseModel):
    headline: str
    summary: str
    facts: list[DraftFact]
    conflicts: list[DraftConflict]
    parties: list[DraftParty]
    open_questions: list[str]


def _cite(drafts: list[DraftCitation], articles: dict[str, Article], warn: list[str], what: str) -> list[Citation]:
    out = []
    for d in drafts:
        art = articles.get(d.article_id)
        found = locate(art, d.quote) if art else None
        if found is None:
            warn.append(f"{what}: dropped a citation of {d.article_id!r}: quote not found in the article")
        else:
            out.append(found)
    return out


def verify_draft(
    draft: SingleDraft, articles: dict[str, Article], warn: list[str]
) -> tuple[list[Fact], list[Conflict], list[PartyPosition]]:
    """Keep only what the articles support; compute statuses."""
    conflicts: list[Conflict] = []
    for dc in draft.conflicts:
        positions = []
        if unsupported_claims(dc.topic, [a.text for a in articles.values()]):
            warn.append(f"conflict {len(conflicts) + 1}: dropped: its topic states what no article does")
            continue
        for p in dc.positions:
            ids = [a for a in p.article_ids if a in articles]
            cite = locate(articles[ids[0]], p.quote) if ids else None
            if cite is None or unsupported_claims(p.value, [articles[a].text for a in ids]):
                warn.append(f"conflict '{dc.topic}': dropped a position ({p.value!r}) its articles do not support")
                continue
            positions.append(ConflictPosition(article_ids=ids, value=p.value, claim=cite.quote, quote=cite.quote))
        if len(positions) >= 2:
            conflicts.append(Conflict(id=f"k{len(conflicts) + 1}", topic=dc.topic, positions=positions))
    disputed = {v for c in conflicts for p in c.positions for v in number_values(p.value)}
    facts: list[Fact] = []
    for n, df in enumerate(draft.facts, start=1):
        cites = _cite(df.citations, articles, warn, f"fact {n}")
        if not cites:
            warn.append(f"fact {n}: dropped: no citation could be verified")
            continue
        why = unsupported_claims(df.statement, [articles[c.article_id].text for c in cites])
        if why:
            warn.append(f"fact {n}: dropped: {why} not in the cited articles")
            continue
        cited_ids = {c.article_id for c in cites}
        status = fact_status(cited_ids, bool(number_values(df.statement) & disputed))
        facts.append(
            Fact(
                id=f"f{len(facts) + 1}",
                statement=df.statement,
                status=status,
                sources=len(cited_ids),
                citations=cites,
            )
        )
    parties = []
    for dp in draft.parties:
        cites = _cite(dp.citations, articles, warn, f"position of {dp.party}")
        why = unsupported_claims(dp.stance, [articles[c.article_id].text for c in cites]) if cites else None
        if why:
            warn.append(f"position of {dp.party}: dropped: {why} not in the cited articles")
        elif cites:
            parties.append(PartyPosition(party=dp.party, stance=dp.stance, citations=cites))
    return facts, conflicts, parties


def screened_out(
    facts: list[Fact], parties: list[PartyPosition], scr: Screen, warn: list[str]
) -> tuple[list[Fact], list[PartyPosition]]:
    """Facts and positions without those that cite a screened-out sentence or say what only one said."""

    def bad(text: str, citations: list[Citation]) -> bool:
        return bool(scr.carried(text)) or any(scr.touches(c.article_id, c.start, c.end) for c in citations)

    kept = [f for f in facts if not bad(f.statement, f.citations)]
    if len(kept) < len(facts):
        warn.append(f"{len(facts) - len(kept)} fact(s) dropped: they state what only instruction-like text said")
    for n, f in enumerate(kept, start=1):
        f.id = f"f{n}"
    return kept, [p for p in parties if not bad(p.stance, p.citations)]


def article_blocks(articles: list[Article], scr: Screen | None = None) -> str:
    """The articles for a whole-brief prompt, each inside its delimiters (with ``scr``: instruction-like
    sentences withheld)."""
    return "\n\n".join(
        f'<article id="{attr(a.id)}" outlet="{attr(a.outlet)}">\n'
        f"{neutralise(scr.withhold(a.id, a.text) if scr else a.text)}\n</article>"
        for a in articles
    )


async def single_brief(
    articles: list[Article],
    llm: LLM,
    *,
    length: Length = "medium",
    request_id: str | None = None,
    screen_by: str = "code",
) -> Brief:
    """Write a brief with one prompt, then verify it. Instruction-like sentences are withheld from the
    prompt (``[…]``) and from the brief."""
    run = BriefRun(articles, llm, "single", request_id)
    await screen_articles(run, screen_by, timed=False)
    by_id = {a.id: a for a in articles}
    blocks = article_blocks(articles, run.screen)
    with run.timer("llm_tasks"):
        answer = await llm.ask(
            "single_brief",
            {"articles": blocks, "ids": ", ".join(by_id), "max_facts": str(FACTS_FOR_LENGTH[length])},
            SingleDraft,
            max_tokens=MAX_TOKENS[length],
            # On the embedded model a whole-brief reply that failed once (most often: it ran to the token
            # budget) fails again at the same cost (measured: 2 × 2,048 tokens, minutes); remote models
            # get the re-ask with the error.
            attempts=None if llm.reasks_long_replies else 1,
        )
    run.log.calls.append(answer.call)
    facts, conflicts, parties = verify_draft(answer.value, by_id, run.log.warnings)
    facts, parties = screened_out(facts, parties, run.screen, run.log.warnings)
    hs, by = _lead(answer.value, facts, conflicts, run)
    quotes = screened_quotes(articles, run.per_article, run.screen)
    return finish(run, Draft(hs.headline, hs.summary, facts, conflicts, parties, quotes), by)


def _lead(
    draft: SingleDraft, facts: list[Fact], conflicts: list[Conflict], run: BriefRun
) -> tuple[HeadlineSummary, dict[str, str]]:
    """The model's headline and summary when code finds no fault in them, else code's; and who wrote what."""
    outlets = run.outlets
    problems = summary_problems(f"{draft.headline}. {draft.summary}", facts, conflicts, outlets, run.screen)
    if problems:
        run.log.warnings.append(f"headline/summary: model text rejected ({'; '.join(problems)}); written by code")
        hs = fallback(facts, conflicts, outlets)
    else:
        hs = HeadlineSummary(headline=draft.headline, summary=draft.summary)
    by = provenance(hs, facts, conflicts, outlets, model=not problems)
    by.update(
        {
            f"facts[{f.id}]": "source" if verbatim_copy(f.statement, [c.quote for c in f.citations]) else "model"
            for f in facts
        }
    )
    return hs, by
