"""The staged strategy: code segments, aligns, finds figures, conflicts and quotes, and verifies; the
model writes small parts (fact statements, party stances, headline and summary).

Conflicts are decided by code: on the seed articles the 1.5B default model answered "not the same
quantity" for all three true disagreements (death toll, hostages and foreign nationals freed), while the
evidence-based candidate finder (same counted noun/verb, figures within a factor of 2, similar
sentences) finds exactly those three."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from service.llm import LLM
from service.pipeline.align import align, representative
from service.pipeline.assemble import assemble, make_meta
from service.pipeline.clean import clean_statement, standalone_problem
from service.pipeline.conflicts import find_conflict_candidates
from service.pipeline.framing import NAMING_TERMS
from service.pipeline.injection import Screen, screen
from service.pipeline.lead import LeadWriter
from service.pipeline.numbers import extract_numbers, parse_numbers
from service.pipeline.quotes import extract_quotes
from service.pipeline.segment import segment
from service.pipeline.summary import conflict_sentence
from service.pipeline.support import SupportChecker
from service.pipeline.tasks import (
    TaskLog,
    stance_sentences,
    write_positions,
    write_statements,
)
from service.pipeline.types import Article, ConflictCandidate, FactGroup, QuoteMention, Sentence
from service.pipeline.verify import content_words, fact_status, unattributed_terms
from service.progress import Timer
from service.schemas import Brief, Citation, Conflict, ConflictPosition, Fact, Length, PartyPosition

FACTS_FOR_LENGTH: dict[str, int] = {"short": 8, "medium": 14, "long": 24}  # facts for a short cluster
MOST_FACTS: dict[str, int] = {"short": 10, "medium": 22, "long": 40}  # the cap, for long clusters
REDUNDANT = 0.7  # share of the shorter statement's content words another picked fact already has


def fact_limit(length: str, groups: int) -> int:
    """How many facts a brief states: the length option's number, plus one for every four more distinct
    groups the articles hold, up to the option's cap (the seed cluster's 87 groups give 22 at medium, a
    three-article story's 12 give 12)."""
    base = FACTS_FOR_LENGTH[length]
    return min(MOST_FACTS[length], base + max(0, groups - base) // 4)


def redundant(group: FactGroup, picked: list[FactGroup]) -> bool:
    """Whether a picked group already states what ``group`` states (the same news in other sentences)."""
    mine = content_words(representative(group).text)
    for other in picked:
        theirs = content_words(representative(other).text)
        if mine and theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= REDUNDANT:
            return True
    return False


LOADED = tuple(t for t in NAMING_TERMS if t not in ("hostages", "captives", "detainees", "prisoners", "protesters"))


@dataclass
class Prepared:
    """Everything code finds before the model is asked anything."""

    sentences: list[Sentence]
    groups: list[FactGroup]
    quotes: list[QuoteMention]
    candidates: list[ConflictCandidate]
    seconds: dict[str, float]
    screen: Screen  # the sentences that read as instructions to a model, left out of everything above


def prepare(articles: list[Article]) -> Prepared:
    """Segment, screen out instruction-like sentences, align and extract signals (CPU work: run it off
    the event loop). Only the sentences that pass the screen are aligned, quoted or searched for figures."""
    timer = Timer()
    with timer("segment"):
        per_article = {a.id: segment(a) for a in articles}
        screened = screen([s for ss in per_article.values() for s in ss], {a.id: a.text for a in articles})
        sentences = screened.clean
        per_article = {aid: [s for s in ss if s.id not in screened.flagged] for aid, ss in per_article.items()}
    with timer("align"):
        groups = align(sentences)
    with timer("signals"):
        mentions = extract_numbers(sentences)
        quotes = [
            q
            for a in articles
            for q in extract_quotes(a, per_article[a.id])
            if not screened.touches(q.article_id, q.start, q.end)
        ]
        candidates = find_conflict_candidates(mentions, sentences)
    return Prepared(sentences, groups, quotes, candidates, timer.seconds, screened)


def plain(text: str) -> bool:
    """Whether a sentence can stand as a neutral statement in the brief's voice (see ``clean.standalone_problem``)."""
    return standalone_problem(text, LOADED) is None


def verbatim_choice(group: FactGroup) -> Sentence | None:
    """The group's sentence to use as it is (the most representative plain one), or None when every
    sentence needs rewriting."""
    rep = representative(group)
    return next(
        (s for s in [rep, *(s for s in group.sentences if s is not rep)] if plain(clean_statement(s.text))), None
    )


def long_choice(group: FactGroup) -> Sentence | None:
    """A sentence whose only fault is its length: stated as it is when the model could not shorten it."""
    for s in group.sentences:
        problem = standalone_problem(clean_statement(s.text), LOADED)
        if problem is None or problem.startswith("longer than"):
            return s
    return None


def needs_rewrite(group: FactGroup) -> bool:
    """Whether a group needs the model: no sentence of it can stand verbatim. A group that several outlets
    report is stated by its most representative plain sentence and cites them all."""
    return verbatim_choice(group) is None


def pick_groups(
    groups: list[FactGroup], held: list[FactGroup], limit: int, rewrites: int
) -> tuple[list[FactGroup], dict[str, Sentence], list[FactGroup]]:
    """The top groups in rank order, skipping one that repeats a picked group's news: each stated verbatim,
    or by the model while the rewrite budget lasts; past the budget a group whose only fault is length is
    stated as printed and any other gives way to the next one. Returns the groups, the verbatim sentence
    per group id, and the groups the model rewrites."""
    picked: list[FactGroup] = []
    chosen: dict[str, Sentence] = {}
    to_write: list[FactGroup] = []
    for g in groups:
        if len(picked) >= limit:
            break
        if g in held or redundant(g, picked):
            continue
        s = verbatim_choice(g)
        if s is not None:
            chosen[g.id] = s
        elif len(to_write) < rewrites:
            to_write.append(g)
        elif (long := long_choice(g)) is not None:
            chosen[g.id] = long  # only too long to stand alone: stated as printed
        else:
            continue
        picked.append(g)
    return picked, chosen, to_write


def code_positions(parties: dict[str, list[Sentence]]) -> list[tuple[str, str, list[Sentence]]]:
    """Each party's stance as its first plain stance sentence, verbatim (the outlet's words, cited); a party
    whose every stance sentence is loaded or leans on a pronoun gets none rather than a slanted one."""
    out = []
    for party, sentences in parties.items():
        best = next((s for s in sentences if plain(s.text)), None)
        if best is not None:
            out.append((party, best.text, [best]))
    return out


def citations_of(sentences: list[Sentence]) -> list[Citation]:
    """Verbatim citations of sentences (their text is a slice of the article, so always verifiable)."""
    return [Citation(article_id=s.article_id, quote=s.text, start=s.start, end=s.end) for s in sentences]


def build_conflict(cid: str, topic: str, cand: ConflictCandidate, sentences: dict[str, Sentence]) -> Conflict:
    """A conflict with one position per distinct figure. A figure an outlet gives as parts ("23 Thai
    nationals, one Filipino, and one ...") shows their sum first: "25 (23 Thai nationals, ...)"."""
    by_value: dict[float, list] = {}
    for m in cand.mentions:
        by_value.setdefault(m.value, []).append(m)
    positions = []
    for value, mentions in by_value.items():
        first = sentences[mentions[0].sentence_id]
        ids = list(dict.fromkeys(m.article_id for m in mentions))
        raw = mentions[0].raw
        shown = f"{value:,.0f} ({raw})" if len(parse_numbers(raw)) > 1 and value == int(value) else raw
        positions.append(ConflictPosition(article_ids=ids, value=shown, claim=first.text, quote=first.text))
    return Conflict(id=cid, topic=topic, positions=positions)


_PERCENT = re.compile(r"\b(percent|per cent|percentage)\b")


def conflict_topic(cand: ConflictCandidate) -> str:
    """What a disagreement is about, as a person would write it: "number of people killed", "share of gas
    stations" (a percentage), "amount of ..." (money)."""
    m = cand.mentions[0]
    counted = " ".join(_PERCENT.sub(" ", m.counted).split())
    if "%" in m.raw or _PERCENT.search(m.counted):
        return f"share of {counted}" if counted else "percentage"
    if re.search(r"[$€£]|\b(dollars?|euros?|pounds?)\b", m.raw + " " + m.counted):
        return f"amount of {counted}" if counted else "amount"
    return f"number of {counted}" if counted else "figure"


async def staged_brief(
    articles: list[Article],
    llm: LLM,
    *,
    length: Length = "medium",
    concurrency: int = 2,
    rewrites: int = 2,
    positions_by: str = "code",
    request_id: str | None = None,
) -> Brief:
    """Write a brief with the staged strategy."""
    started = time.perf_counter()
    prep = await asyncio.to_thread(prepare, articles)
    timer = Timer(dict(prep.seconds))
    outlets = {a.id: a.outlet for a in articles}
    by_sid = {s.id: s for s in prep.sentences}
    log = TaskLog(warnings=prep.screen.warnings())
    sem = asyncio.Semaphore(concurrency)
    checker = SupportChecker(llm, sem, log)

    cand_sids = {m.sentence_id for c in prep.candidates for m in c.mentions}
    held = [g for g in prep.groups if any(s.id in cand_sids for s in g.sentences)]
    limit = fact_limit(length, len(prep.groups))
    top, chosen, to_write = pick_groups(prep.groups, held, limit, rewrites)
    parties = stance_sentences(prep.sentences, outlets)

    with timer("llm_tasks"):
        if positions_by == "model":
            statements, stances = await asyncio.gather(
                write_statements(llm, to_write, outlets, sem, log, checker, prep.screen, LOADED),
                write_positions(llm, parties, outlets, sem, log, prep.screen),
            )
        else:
            statements = await write_statements(llm, to_write, outlets, sem, log, checker, prep.screen, LOADED)
            stances = code_positions(parties)

    conflicts: list[Conflict] = []
    disputed_facts: dict[str, Fact] = {}
    for cand in prep.candidates:
        conflict = build_conflict(f"k{len(conflicts) + 1}", conflict_topic(cand), cand, by_sid)
        conflicts.append(conflict)
        sids = {m.sentence_id for m in cand.mentions}
        cited = [s for g in held if any(x.id in sids for x in g.sentences) for s in g.sentences]
        cited = list({s.id: s for s in [*(by_sid[i] for i in sids), *cited]}.values())
        disputed_facts[conflict.id] = Fact(
            id="",
            statement=conflict_sentence(conflict, outlets),
            status="disputed",
            sources=len({s.article_id for s in cited}),
            citations=citations_of(cited),
        )
    claimed = {(c.article_id, c.start) for f in disputed_facts.values() for c in f.citations}

    facts: list[Fact] = list(disputed_facts.values())
    origin = ["code"] * len(facts)  # who wrote each statement: disputed facts are code's "Reports differ" lines
    for g in top + [g for g in held if g not in top]:
        if any((s.article_id, s.start) in claimed for s in g.sentences):
            continue
        verbatim = chosen.get(g.id) or verbatim_choice(g) or long_choice(g)
        text = statements.get(g.id) or (clean_statement(verbatim.text) if verbatim else None)
        if text is None:
            # every sentence of the group is loaded, cut or leans on a pronoun and the model's rewrite was
            # rejected: left out rather than stated slanted
            log.warnings.append(f"fact {g.id}: no neutral statement; left out")
            continue
        origin.append("model" if g.id in statements else "source")
        facts.append(
            Fact(
                id="",
                statement=text,
                status=fact_status(g.article_ids, False),
                sources=len(g.article_ids),
                citations=citations_of(g.sentences),
            )
        )
    facts = facts[: limit + len(disputed_facts)]
    by: dict[str, str] = {}
    for n, f in enumerate(facts, start=1):
        f.id = f"f{n}"
        by[f"facts[{f.id}]"] = origin[n - 1]
        for term in unattributed_terms(f.statement, LOADED):
            log.warnings.append(f"fact {f.id}: loaded term '{term}' used without attribution")

    positions = [PartyPosition(party=p, stance=st, citations=citations_of(ss)) for p, st, ss in stances]
    with timer("summary"):
        lead = LeadWriter(llm, facts, conflicts, outlets, sem, log, prep.screen, LOADED)
        headline, summary, hs_by = await lead.write()
    meta = make_meta(
        backend=llm.backend,
        model=llm.model_name,
        strategy="staged",
        calls=log.calls,
        seconds=time.perf_counter() - started,
        stage_seconds=timer.seconds,
        warnings=log.warnings,
        request_id=request_id,
        provenance={**hs_by, **by},
        checks=log.checks,
    )
    return assemble(
        articles=articles,
        headline=headline,
        summary=summary,
        facts=facts,
        conflicts=conflicts,
        positions=positions,
        quotes=prep.quotes,
        meta=meta,
    )
