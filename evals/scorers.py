"""Scorers: one small function per metric, each returning a :class:`Score` with per-item verdicts.

``hit`` means the item counts toward the metric: a fact covered, a conflict shown, a citation valid,
a party covered — and, for the metrics where fewer is better, a forbidden claim asserted, a statement
unsupported, a loaded term used without attribution. ``unscored`` items count toward nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from evals.dataset import Case, CaseConflict
from evals.judges import (
    Match,
    ModelJudge,
    Statement,
    Verdict,
    brief_statements,
    highlight_spans,
    match_claim,
    match_forbidden,
    nearest_fact,
    sentences,
)
from service.pipeline.types import Article
from service.pipeline.verify import locate, number_values, support_ratio, unattributed_terms, unsupported_numbers
from service.schemas import Brief, Citation, Meta

MIN_SUPPORT = 0.5  # share of a statement's content words its cited articles must contain


class ItemVerdict(BaseModel):
    """The verdict on one labelled item (a fact, a conflict, a citation ...)."""

    id: str
    verdict: Verdict
    reason: str
    weight: float = 1.0
    claim: str | None = Field(None, description="The labelled text: a fact's claim, a conflict's topic.")
    statement: str | None = Field(None, description="The brief text that decided it.")
    where: str | None = Field(None, description="Where that text sits in the brief, e.g. facts[f3].")
    spans: list[tuple[int, int]] = Field(default_factory=list, description="Spans of ``statement`` to mark.")

    @classmethod
    def of_problem(cls, id: str, problem: str | None, otherwise: str, **fields: Any) -> ItemVerdict:
        """A hit when ``problem`` says what is wrong with the item (the reason), else a miss for ``otherwise``."""
        return cls(id=id, verdict="hit" if problem else "miss", reason=problem or otherwise, **fields)

    @classmethod
    def found_in(cls, id: str, reason: str, where: str, text: str, mark: re.Match[str] | None) -> ItemVerdict:
        """A hit found in the brief's ``text`` at ``where``, ``mark`` its match in that text."""
        spans = [mark.span()] if mark else []
        return cls(id=id, verdict="hit", reason=reason, statement=text, where=where, spans=spans)


class Score(BaseModel):
    """One metric on one brief. ``value`` is None when the metric does not apply (nothing to score)."""

    value: float | None
    items: list[ItemVerdict] = Field(default_factory=list)

    @property
    def unscored(self) -> int:
        return sum(1 for i in self.items if i.verdict == "unscored")


@dataclass(frozen=True)
class MetricInfo:
    """What a metric means and which way is better."""

    better: Literal["higher", "lower", "none"]
    kind: Literal["rate", "count", "cost"]
    description: str


METRICS: dict[str, MetricInfo] = {
    "fact_recall": MetricInfo("higher", "rate", "weighted share of labelled facts the brief states"),
    "conflict_recall": MetricInfo("higher", "rate", "share of conflicts shown with every side attributed"),
    "must_not_claim_violations": MetricInfo("lower", "count", "forbidden claims the brief asserts"),
    "citation_validity": MetricInfo("higher", "rate", "share of citation quotes found in the cited article"),
    "unsupported_statements": MetricInfo("lower", "count", "statements with figures or words no source has"),
    "unattributed_loaded_terms": MetricInfo("lower", "count", "loaded terms used outside quote/attribution"),
    "party_coverage": MetricInfo("higher", "rate", "share of labelled parties the brief names"),
    "schema_validity": MetricInfo("higher", "rate", "1 when the brief fits the Brief schema"),
    "statement_support": MetricInfo(
        "higher", "rate", "share of asserted sentences (headline, summary, facts, stances) their sources support"
    ),
    "summary_coverage": MetricInfo("higher", "rate", "weighted share of core facts stated in headline + summary"),
    "headline_quality": MetricInfo(
        "higher", "rate", "1 when the headline is complete, short, unlabelled, undisputed and impersonal"
    ),
    "model_text_share": MetricInfo("higher", "rate", "share of headline, summary and facts written by the model"),
    "false_conflicts": MetricInfo("lower", "count", "conflicts that are not disagreements between outlets"),
    "one_side_flags": MetricInfo(
        "higher", "rate", "share of stated labelled facts whose 'one side only' flag matches the lean labels"
    ),
    "length_words": MetricInfo("none", "cost", "words in headline, summary and facts"),
    "tokens": MetricInfo("lower", "cost", "model tokens in + out spent on the brief"),
    "seconds": MetricInfo("lower", "cost", "seconds spent writing the brief"),
}


def _rate(items: list[ItemVerdict]) -> float | None:
    scored = [i for i in items if i.verdict != "unscored"]
    total = sum(i.weight for i in scored)
    return sum(i.weight for i in scored if i.verdict == "hit") / total if total else None


def _count(items: list[ItemVerdict]) -> float:
    return float(sum(1 for i in items if i.verdict == "hit"))


async def fact_recall(case: Case, statements: list[Statement], judge: ModelJudge) -> Score:
    """Weighted share of facts some statement covers (matches the anchors and the judge says yes)."""
    matches = await asyncio.gather(*(match_claim(f.claim, statements, judge, f.anchors) for f in case.facts))
    items = [
        _claim_verdict(f.id, f.claim, m, f.anchors, weight=f.weight) for f, m in zip(case.facts, matches, strict=True)
    ]
    return Score(value=_rate(items) if case.facts else None, items=items)


def _claim_verdict(item_id: str, claim: str, m: Match, anchors: Sequence[str] = (), weight: float = 1.0) -> ItemVerdict:
    """The verdict for one labelled claim, with the matching statement and its highlighted spans."""
    s = m.statement
    return ItemVerdict(
        id=item_id,
        verdict=m.verdict,
        reason=m.reason,
        weight=weight,
        claim=claim,
        statement=s.text if s else None,
        where=s.id if s else None,
        spans=highlight_spans(claim, s.text, anchors) if s else [],
    )


async def must_not_claim(case: Case, statements: list[Statement], judge: ModelJudge) -> Score:
    """Forbidden claims the brief asserts (hit = violation)."""
    # strict: a false yes here is a violation the brief did not commit; a statement of the true fact the claim
    # distorts is not one (match_forbidden)
    facts = [(f.id, f.claim, f.anchors) for f in case.facts]
    matches = await asyncio.gather(
        *(match_forbidden(c.claim, statements, judge, nearest_fact(c.claim, facts)) for c in case.must_not_claim)
    )
    items = [_claim_verdict(c.id, c.claim, m) for c, m in zip(case.must_not_claim, matches, strict=True)]
    return Score(value=_count(items), items=items)


def shows_value(value: str, text: str) -> bool:
    """Whether ``text`` gives a conflict side's ``value``: its lead figure (or clock time), else most of
    its words."""
    head = re.split(r"\s\(|,\s|;\s", value)[0]
    figures = number_values(head)
    if figures:
        return figures <= number_values(text)
    times = re.findall(r"\d{1,2}[:.]\d{2}", head)
    if times:
        return all(t.replace(".", ":") in text.replace(".", ":") for t in times)
    return support_ratio(value, [text]) >= 0.5


def conflict_recall(case: Case, brief: Brief) -> Score:
    """Share of labelled conflicts where the brief shows every side's value, attributed to an outlet
    that reports it (a conflict position listing that article, or a fact/summary clause that cites it
    or names its outlet)."""
    outlets = {a.id: a.outlet for a in case.articles}
    evidence: list[Evidence] = []
    for c in brief.conflicts:
        for i, p in enumerate(c.positions):
            evidence.append(Evidence(f"conflicts[{c.id}].positions[{i}]", p.claim, set(p.article_ids), value=p.value))
    for f in brief.facts:
        cited = {x.article_id for x in f.citations}
        for clause in re.split(r";\s*", f.statement):
            evidence.append(Evidence(f"facts[{f.id}]", clause, cited, _named(clause, outlets)))
    for i, sent in enumerate(sentences(brief.summary)):
        for clause in re.split(r";\s*", sent):
            evidence.append(Evidence(f"summary[{i}]", clause, set(), _named(clause, outlets)))
    items = [_conflict_item(k, evidence, outlets) for k in case.conflicts]
    return Score(value=_rate(items) if items else None, items=items)


@dataclass(frozen=True)
class Evidence:
    """A piece of brief text that may give a conflict side, with the articles it cites or names."""

    where: str
    text: str
    cited: set[str]
    named: set[str] = field(default_factory=set)
    value: str = ""  # a conflict position's value field, matched along with the text

    def gives(self, value: str) -> bool:
        """Whether it shows a side's value."""
        return shows_value(value, f"{self.value} {self.text}")

    def attributes(self, sources: set[str], others: set[str]) -> bool:
        """Names an outlet of this side, or cites one of its articles and none of the other sides'."""
        return bool(self.named & sources) or bool(self.cited & sources and not self.cited & others)


def _named(text: str, outlets: dict[str, str]) -> set[str]:
    low = text.lower()
    return {aid for aid, name in outlets.items() if name.lower() in low}


def _conflict_item(k: CaseConflict, evidence: list[Evidence], outlets: dict[str, str]) -> ItemVerdict:
    sides: dict[str, set[str]] = {}
    for claim in k.claims:
        sides.setdefault(claim.value, set()).add(claim.source)
    shown: list[str] = []
    missing: list[str] = []
    first: Evidence | None = None
    for value, sources in sides.items():
        others = {s for v, ss in sides.items() if v != value for s in ss} - sources
        found = next((e for e in evidence if e.gives(value) and e.attributes(sources, others)), None)
        label = f"{value!r} ({', '.join(outlets[s] for s in sorted(sources))})"
        if found:
            shown.append(f"{label} in {found.where}")
            first = first or found
        else:
            missing.append(label)
    if missing or first is None:
        reason = f"not shown with attribution: {'; '.join(missing)}"
        if shown:
            reason += f"; shown: {'; '.join(shown)}"
        return ItemVerdict(id=k.id, verdict="miss", reason=reason, claim=k.about)
    return ItemVerdict(
        id=k.id, verdict="hit", reason="; ".join(shown), claim=k.about, statement=first.text, where=first.where
    )


def _all_citations(brief: Brief) -> list[tuple[str, Citation | tuple[str, str]]]:
    out: list[tuple[str, Citation | tuple[str, str]]] = []
    for f in brief.facts:
        out += [(f"facts[{f.id}].citations[{i}]", c) for i, c in enumerate(f.citations)]
    for p in brief.positions:
        out += [(f"positions[{p.party}].citations[{i}]", c) for i, c in enumerate(p.citations)]
    for n, t in enumerate(brief.timeline):
        out += [(f"timeline[{n}].citations[{i}]", c) for i, c in enumerate(t.citations)]
    for k in brief.conflicts:
        out += [
            (f"conflicts[{k.id}].positions[{i}].quote", (p.article_ids[0] if p.article_ids else "", p.quote))
            for i, p in enumerate(k.positions)
        ]
    out += [(f"quotes[{i}]", (q.article_id, q.text)) for i, q in enumerate(brief.quotes)]
    return out


def citation_validity(brief: Brief, articles: dict[str, Article]) -> Score:
    """Share of quotes (citations, conflict sides, quotations) found verbatim in the cited article."""
    items = []
    for where, c in _all_citations(brief):
        aid, quote = (c.article_id, c.quote) if isinstance(c, Citation) else c
        art = articles.get(aid)
        if art is None:
            items.append(
                ItemVerdict(id=where, verdict="miss", reason=f"cites unknown article {aid!r}", statement=quote)
            )
        elif locate(art, quote) is None:
            items.append(ItemVerdict(id=where, verdict="miss", reason=f"quote not found in {aid}", statement=quote))
        else:
            items.append(ItemVerdict(id=where, verdict="hit", reason=f"found in {aid}", statement=quote))
    return Score(value=_rate(items), items=items)


def unsupported_statements(brief: Brief, articles: dict[str, Article]) -> Score:
    """Statements with a figure none of their cited articles has, too few of their words in them, or
    no valid citation (hit = unsupported). Headline and summary are checked against all articles."""
    everything = [a.text for a in articles.values()] + [a.outlet for a in articles.values()]
    items = []
    for s in brief_statements(brief):
        if s.id.startswith(("headline", "summary")):
            sources = everything
        else:
            sources = [articles[a].text for a in s.article_ids if a in articles]
            sources += [articles[a].outlet for a in s.article_ids if a in articles]
        problem = _support_problem(s.text, sources)
        items.append(ItemVerdict.of_problem(s.id, problem, "supported by its sources", statement=s.text, where=s.id))
    return Score(value=_count(items), items=items)


def _support_problem(text: str, sources: list[str]) -> str | None:
    if not sources:
        return "no valid citation"
    extra = unsupported_numbers(text, sources)
    if extra:
        return "figures in no cited article: " + ", ".join(f"{v:g}" for v in extra)
    ratio = support_ratio(text, sources)
    if ratio < MIN_SUPPORT:
        return f"only {ratio:.0%} of its words occur in the cited articles"
    return None


def loaded_terms(case: Case, brief: Brief) -> Score:
    """Loaded terms the brief uses outside a quotation or an attribution (hit = such a use)."""
    # a timeline event and a party's stance as the brief gives them, not behind the label the judge reads them with
    # ("2021-07-31: According to CNN Business, …" is CNN Business's report, allsides-5805)
    labelled = ("timeline[", "positions[")
    texts = [(s.id, s.text) for s in brief_statements(brief) if not s.id.startswith(labelled)]
    texts += [(f"timeline[{i}]", t.event) for i, t in enumerate(brief.timeline)]
    texts += [(f"positions[{p.party}]", p.stance) for p in brief.positions]
    texts += [(f"conflicts[{c.id}].topic", c.topic) for c in brief.conflicts]
    texts += [(f"open_questions[{i}]", q) for i, q in enumerate(brief.open_questions)]
    items = []
    for term in case.loaded_terms:
        found = next(((w, t) for w, t in texts if unattributed_terms(t, [term])), None)
        if found:
            span = re.search(re.escape(term), found[1], re.I)
            reason = f"used without quotation or attribution in {found[0]}"
            items.append(ItemVerdict.found_in(term, reason, found[0], found[1], span))
        else:
            items.append(ItemVerdict(id=term, verdict="miss", reason="not used, or only quoted/attributed"))
    return Score(value=_count(items), items=items)


def party_coverage(case: Case, brief: Brief) -> Score:
    """Share of labelled parties the brief names (as a party position, or anywhere in its text)."""
    texts = [(s.id, s.text) for s in brief_statements(brief)]
    items = []
    for party in case.parties:
        name = party.name.lower()
        pos = next((p for p in brief.positions if fuzz.token_set_ratio(name, p.party.lower()) >= 85), None)
        pattern = re.compile(rf"\b{re.escape(party.name)}\b", re.I)
        named = next(((w, t) for w, t in texts if pattern.search(t)), None)
        if pos is not None:
            items.append(
                ItemVerdict(
                    id=party.name, verdict="hit", reason=f"has a position as {pos.party!r}", statement=pos.stance
                )
            )
        elif named is not None:
            m = pattern.search(named[1])
            reason = f"named in {named[0]} (no position entry)"
            items.append(ItemVerdict.found_in(party.name, reason, named[0], named[1], m))
        else:
            items.append(ItemVerdict(id=party.name, verdict="miss", reason="not named in the brief"))
    return Score(value=_rate(items) if items else None, items=items)


def schema_validity(problem: str | None) -> Score:
    """1 when the brief validated against the Brief schema, else 0 with the validation error."""
    ok = problem is None
    item = ItemVerdict(id="brief", verdict="hit" if ok else "miss", reason=problem or "valid Brief")
    return Score(value=1.0 if ok else 0.0, items=[item])


def costs(brief: Brief) -> dict[str, Score]:
    """Length in words, tokens and seconds the brief cost (from its meta)."""
    words = len(" ".join([brief.headline, brief.summary, *(f.statement for f in brief.facts)]).split())
    return {
        "length_words": Score(value=float(words)),
        "tokens": Score(value=float(brief.meta.tokens_in + brief.meta.tokens_out)),
        "seconds": Score(value=round(brief.meta.seconds, 3)),
    }


def empty_brief() -> Brief:
    """A brief with nothing in it (stands in for one that could not be made or read)."""
    meta = Meta(
        backend="",
        model="",
        strategy="",
        prompt_versions={},
        tokens_in=0,
        tokens_out=0,
        seconds=0.0,
        stage_seconds={},
        llm_calls=[],
        warnings=[],
    )
    return Brief(
        headline="",
        summary="",
        facts=[],
        conflicts=[],
        positions=[],
        quotes=[],
        framing=[],
        timeline=[],
        open_questions=[],
        coverage=[],
        articles=[],
        meta=meta,
    )
