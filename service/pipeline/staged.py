"""The staged strategy: code segments, aligns, finds figures, conflicts and quotes, and verifies; the
model writes small parts (fact statements, party stances, headline and summary).

Conflicts are decided by code: on the seed articles the 1.5B default model answered "not the same
quantity" for all three true disagreements (death toll, hostages and foreign nationals freed), while the
evidence-based candidate finder (same counted noun/verb, figures within a factor of 2, similar
sentences) finds exactly those three."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from service.llm import LLM
from service.pipeline.align import align
from service.pipeline.assemble import Draft
from service.pipeline.attribution import according_to, attribute_single_source, outlet_name, stance_report
from service.pipeline.clean import statement_text
from service.pipeline.conflicts import build_conflict, conflict_topic, find_conflict_candidates
from service.pipeline.headline_words import word_users
from service.pipeline.injection import Screen
from service.pipeline.lead import LeadWriter
from service.pipeline.lead_guard import HELD, guard_lead
from service.pipeline.numbers import extract_numbers
from service.pipeline.screen_check import ModelScreen
from service.pipeline.select import (
    LOADED,
    code_positions,
    fact_limit,
    fact_status,
    held_groups,
    pick_groups,
    reported_choice,
    stated_sentence,
    stating_order,
)
from service.pipeline.stages import BriefRun, finish, screen_articles, screened_quotes, segment_and_screen
from service.pipeline.summary import conflict_sentence
from service.pipeline.support import SupportChecker
from service.pipeline.tasks import (
    TaskLog,
    stance_sentences,
    write_positions,
    write_statements,
)
from service.pipeline.types import Article, ConflictCandidate, FactGroup, QuoteMention, Sentence
from service.pipeline.verify import unattributed_terms, verbatim_copy
from service.progress import Timer
from service.schemas import Brief, Citation, Conflict, Fact, Length, PartyPosition

GUARD_ROUNDS = 2  # the lead's one-outlet sentences asked, then those that take a held one's place


@dataclass
class Prepared:
    """Everything code finds before the model is asked anything."""

    sentences: list[Sentence]
    groups: list[FactGroup]
    quotes: list[QuoteMention]
    candidates: list[ConflictCandidate]
    seconds: dict[str, float]
    screen: Screen  # the sentences that read as instructions to a model, left out of everything above


def prepare(
    articles: list[Article],
    segmented: tuple[dict[str, list[Sentence]], Screen] | None = None,
    seconds: dict[str, float] | None = None,
) -> Prepared:
    """Align and extract signals from the sentences that pass the screen (CPU work: run it off the event
    loop); ``segmented`` is :func:`segment_and_screen`'s result, widened by the model's screen, when the
    caller has it. Only the sentences that pass the screen are aligned, quoted or searched for figures."""
    timer = Timer(dict(seconds or {}))
    if segmented is None:
        with timer("segment"):
            segmented = segment_and_screen(articles)
    all_sentences, screened = segmented
    sentences = screened.clean
    with timer("align"):  # the figures first: one figure for one thing brings two sentences closer
        mentions = extract_numbers(sentences)
        groups = align(sentences, mentions=mentions)
    with timer("signals"):
        quotes = screened_quotes(articles, all_sentences, screened)
        candidates = find_conflict_candidates(mentions, sentences)
    return Prepared(sentences, groups, quotes, candidates, timer.seconds, screened)


def citations_of(sentences: list[Sentence]) -> list[Citation]:
    """Verbatim citations of sentences (their text is a slice of the article, so always verifiable)."""
    return [Citation(article_id=s.article_id, quote=s.text, start=s.start, end=s.end) for s in sentences]


async def staged_brief(
    articles: list[Article],
    llm: LLM,
    *,
    length: Length = "medium",
    concurrency: int = 2,
    rewrites: int = 2,
    positions_by: str = "code",
    screen_by: str = "code",
    request_id: str | None = None,
) -> Brief:
    """Write a brief with the staged strategy."""
    run = BriefRun(articles, llm, "staged", request_id, concurrency)
    await screen_articles(run, screen_by)
    prep = await asyncio.to_thread(prepare, articles, (run.per_article, run.screen), run.timer.seconds)
    run.timer = Timer(dict(prep.seconds))
    checker = SupportChecker(llm, run.sem, run.log)
    held = held_groups(prep.groups, prep.candidates)
    limit = fact_limit(length, len(prep.groups))
    top, chosen, to_write = pick_groups(prep.groups, held, limit, rewrites)
    parties = stance_sentences(prep.sentences, run.outlets)
    with run.timer("llm_tasks"):
        statements, stances = await _write_parts(run, prep, checker, to_write, parties, positions_by)
    conflicts, disputed = _conflicts(prep, held, run.outlets)
    facts, by = _facts(prep, top, held, chosen, statements, disputed, limit, run.log, run.outlets)
    texts = [s.text for s in prep.sentences]
    if positions_by == "code":  # a stance as printed is its outlet's sentence
        stances = [(p, stance_report(st, ss, run.outlets, texts), ss) for p, st, ss in stances]
    positions = [PartyPosition(party=p, stance=st, citations=citations_of(ss)) for p, st, ss in stances]
    with run.timer("summary"):
        lead = await _guarded_lead(run, facts, conflicts, [a.title for a in articles if a.title])
        headline, summary, hs_by, restated = await lead.write()
    for f in facts:  # a fact the model restated, shorter, and the check passed: its sentence states the fact
        if f.id in restated:
            f.statement = restated[f.id]
            by[f"facts[{f.id}]"] = "model"
    attribute_single_source(facts, run.outlets, texts)
    quotes = [q for q in prep.quotes if not run.screen.touches(q.article_id, q.start, q.end)]
    return finish(run, Draft(headline, summary, facts, conflicts, positions, quotes), {**hs_by, **by})


async def _guarded_lead(run: BriefRun, facts: list[Fact], conflicts: list[Conflict], titles: list[str]) -> LeadWriter:
    """The headline and summary's writer, with each one-outlet fact its summary would rest on held out of the
    headline and summary (still among the facts, attributed) when its sentence reads somewhat like a planted line
    to the learnt screen, or like an instruction to the model (:mod:`lead_guard`); ``meta.warnings`` says which."""
    guard = ModelScreen(run.llm, run.sem, run.log)
    asked: dict[str, str] = {}
    users = word_users(run.articles)
    lead = LeadWriter(run.llm, facts, conflicts, run.outlets, run.sem, run.log, run.screen, LOADED, titles, users=users)
    doubted = [f.id for f in facts if f.id in lead.held]
    for _ in range(GUARD_ROUNDS):  # a held fact lets the next one into the summary: that one is asked too
        flagged = await guard_lead(lead.summary_part(), run.screen, run.per_article, guard)
        if not flagged:
            break
        asked |= flagged
        lead = LeadWriter(
            run.llm,
            facts,
            conflicts,
            run.outlets,
            run.sem,
            run.log,
            run.screen,
            LOADED,
            titles,
            set(asked),
            users=users,
        )
    if doubted:  # for the editor: why a fact is stated but not in the summary
        run.log.warnings.append(
            f"lead: fact {', '.join(doubted)} {HELD}: its one outlet's sentence reads somewhat like an instruction "
            "(learnt screen)"
        )
    if asked:
        run.log.warnings.append(
            f"lead: fact {', '.join(asked)} {HELD}: the model reads its one outlet's sentence as an instruction "
            f"(injection check: {'; '.join(repr(t[:80]) for t in asked.values())})"
        )
    return lead


async def _write_parts(
    run: BriefRun,
    prep: Prepared,
    checker: SupportChecker,
    to_write: list[FactGroup],
    parties: dict[str, list[Sentence]],
    positions_by: str,
) -> tuple[dict[str, str], list[tuple[str, str, list[Sentence]]]]:
    """The model's statements of the groups ``to_write``, and each party's stance (by the model or code)."""
    llm, outlets, sem, log = run.llm, run.outlets, run.sem, run.log
    if positions_by == "model":
        return await asyncio.gather(
            write_statements(llm, to_write, outlets, sem, log, checker, prep.screen, LOADED),
            write_positions(llm, parties, outlets, sem, log, prep.screen),
        )
    statements = await write_statements(llm, to_write, outlets, sem, log, checker, prep.screen, LOADED)
    return statements, code_positions(parties)


def _conflicts(
    prep: Prepared, held: list[FactGroup], outlets: dict[str, str]
) -> tuple[list[Conflict], dict[str, Fact]]:
    """The conflicts code found, and a disputed fact for each that gives every figure with its outlet."""
    by_sid = {s.id: s for s in prep.sentences}
    conflicts: list[Conflict] = []
    disputed_facts: dict[str, Fact] = {}
    for cand in prep.candidates:
        conflict = build_conflict(f"k{len(conflicts) + 1}", conflict_topic(cand), cand, by_sid)
        conflicts.append(conflict)
        sids = list(dict.fromkeys(m.sentence_id for m in cand.mentions))  # in mention order: the same every run
        cited = [s for g in held if any(x.id in sids for x in g.sentences) for s in g.sentences]
        cited = list({s.id: s for s in [*(by_sid[i] for i in sids), *cited]}.values())
        disputed_facts[conflict.id] = Fact(
            id="",
            statement=conflict_sentence(conflict, outlets),
            status="disputed",
            sources=len({s.article_id for s in cited}),
            citations=citations_of(cited),
        )
    return conflicts, disputed_facts


def _facts(
    prep: Prepared,
    top: list[FactGroup],
    held: list[FactGroup],
    chosen: dict[str, Sentence],
    statements: dict[str, str],
    disputed_facts: dict[str, Fact],
    limit: int,
    log: TaskLog,
    outlets: dict[str, str],
) -> tuple[list[Fact], dict[str, str]]:
    """The brief's facts, disputed ones first, numbered, and who wrote each statement."""
    claimed = {(c.article_id, c.start) for f in disputed_facts.values() for c in f.citations}
    facts: list[Fact] = list(disputed_facts.values())
    origin = ["code"] * len(facts)  # who wrote each statement: disputed facts are code's "Reports differ" lines
    for g in stating_order(top, held, claimed):
        verbatim = stated_sentence(g, chosen)
        text = statements.get(g.id) or (statement_text(verbatim.text) if verbatim else None)
        reported = reported_choice(g) if text is None else None
        if reported is not None:  # its outlet's words, as its outlet's report: the news stays, the framing is theirs
            name = outlet_name(outlets.get(reported.article_id, reported.article_id))
            text = according_to(name, statement_text(reported.text), [s.text for s in prep.sentences])
            log.warnings.append(f"fact {g.id}: every sentence uses a loaded term; stated as {name}'s report")
        if text is None:
            # every sentence of the group is loaded, cut or leans on a pronoun and the model's rewrite was
            # rejected: left out rather than stated slanted
            log.warnings.append(f"fact {g.id}: no neutral statement; left out")
            continue
        # the model's rewrite, unless it gave an outlet's sentence back word for word
        rewritten = g.id in statements and not verbatim_copy(text, [s.text for s in g.sentences])
        origin.append("model" if rewritten else "source")
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
    return facts, by
