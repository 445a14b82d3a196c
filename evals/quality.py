"""What an editor sees first: metrics on the brief's own text. Is every sentence it asserts supported by
what it cites (claim-level precision)? Do the headline and summary state the core facts? Is the headline
publishable? Did the model write the text, or a code fallback? Are its conflicts real disagreements?

``hit`` means the item counts toward the metric, as in :mod:`evals.scorers`: a sentence supported, a core
fact in the summary, a headline check passed, a part written by the model, and (fewer is better) a false
conflict.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from evals.dataset import Case, CaseConflict
from evals.judges import ModelJudge, Statement, brief_statements, match_claim, similarity
from evals.scorers import ItemVerdict, Score, _claim_verdict, _count, _rate, shows_value
from service.pipeline.numbers import parse_numbers
from service.pipeline.segment import segment
from service.pipeline.types import Article, Sentence
from service.pipeline.verify import normalise, number_values, unsupported_numbers
from service.schemas import Brief, Citation, Conflict

EVIDENCE_SENTENCES = 4  # article sentences shown to the judge for a headline or summary sentence
HEADLINE_WORDS = 14
CODE_LINE = re.compile(r"^Reports differ on\b")
_ELLIPSIS = re.compile(r"(?:…|\.\.\.)\W*$")
_DANGLING_END = re.compile(  # words a headline cannot end on (not in/on/up: "turns himself in" is whole)
    r"\b(?:a|an|the|to|of|and|or|but|that|with|for|from|as|is|are|was|were|its|their|his|her)\W*$",
    re.I,
)
_LABEL = re.compile(  # newsroom section labels and kickers that are not the story
    r"^\s*(?:why it matters|what(?:'|’)s next|the big picture|driving the news|between the lines|go deeper|"
    r"breaking(?: news)?|analysis|opinion|editorial|update[d]?|exclusive|watch|live|perspectives?|fact check|"
    r"catch up quick|flashback|the latest|what we know|by the numbers|state of play|zoom in|zoom out)\s*:",
    re.I,
)
_BYLINE = re.compile(r"\bBy\s+[A-Z][a-z]+\s+[A-Z]|\((?:CNN|AP|Reuters|AFP)\)|\b(?:Reuters|AP|AFP)\s*[—–-]\s")
_PERSON = re.compile(r"\b(?:I|[Ww]e|[Oo]ur|us|[Mm]y|[Yy]ou|[Yy]our)\b")
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]|‘[^‘’]*’")
_PARTY = re.compile(r"^[^:]{1,60}:\s+")  # "Hamas: " before a party's stance
_TOPIC_NOISE = re.compile(r"\bnumber of (?:percent|per cent|%|\d)|\bof (?:of|the the)\b", re.I)


def _sentences(articles: dict[str, Article]) -> list[Sentence]:
    return [s for a in articles.values() for s in segment(a)]


def evidence_for(text: str, pool: Sequence[Sentence], k: int = EVIDENCE_SENTENCES) -> list[str]:
    """The ``k`` article sentences that share the most content words with ``text`` (best first), and any
    other sentence that gives one of its figures."""
    ranked = sorted(pool, key=lambda s: similarity(text, s.text), reverse=True)
    out = [s.text for s in ranked[:k] if similarity(text, s.text) > 0]
    figures = number_values(text)
    return out + [s.text for s in ranked[k:] if figures & number_values(s.text)][:2]


def cited_sentences(citations: Sequence[Citation], pool: Sequence[Sentence]) -> list[str]:
    """The article sentences that hold each citation (a quote may be a slice of one), in citation order."""
    out: list[str] = []
    for c in citations:
        around = [s.text for s in pool if s.article_id == c.article_id and s.start < c.end and s.end > c.start]
        out += [t for t in around or [c.quote] if t not in out]
    return out


async def judge_support(text: str, evidence: Sequence[str], judge: ModelJudge) -> tuple[str, str, str]:
    """(verdict, reason, by) for one brief sentence against the source sentences it rests on. Code settles
    what it can: no evidence, a figure no source has, the sentence found verbatim in a source."""
    if not evidence:
        return "miss", "cites nothing and shares no words with any article", "code"
    extra = unsupported_numbers(text, list(evidence))
    if extra:
        return "miss", "figures in no source: " + ", ".join(f"{v:g}" for v in extra), "code"
    bare = normalise(_PARTY.sub("", text)).lower().strip(" .")
    if bare and any(bare in normalise(e).lower() for e in evidence):
        return "hit", "verbatim in its source", "code"
    # Code's meaning checks compare one sentence with one sentence; the evidence here is several (a "may" in
    # any of them would read as a certainty mismatch), so the model alone judges the meaning.
    j = await judge.judge(text, " ".join(evidence), rules=False)
    verdict = {"yes": "hit", "no": "miss"}.get(j.answer, "unscored")
    return verdict, j.reason, j.by


def part_sums(sentences: list[Sentence]) -> set[float]:
    """Sums of the figures an article sentence lists one after another ("23 Thai nationals, one Filipino, and
    one Russian-Israeli" → 25): code's "Reports differ" line adds up the parts an outlet lists, and that sum
    is the outlet's figure."""
    out: set[float] = set()
    for sent in sentences:
        run: list[float] = []
        last_end = None
        for _, value, start, end in parse_numbers(sent.text):
            gap = sent.text[last_end:start] if last_end is not None else ""
            if last_end is not None and len(gap) <= 40 and ("," in gap or " and " in gap) and "." not in gap:
                run.append(value)
            else:
                if len(run) >= 2:
                    out.add(sum(run))
                run = [value]
            last_end = end
        if len(run) >= 2:
            out.add(sum(run))
    return out


async def statement_support(brief: Brief, articles: dict[str, Article], judge: ModelJudge) -> Score:
    """Share of the sentences the brief asserts (headline, summary sentences, fact statements, party stances)
    that their sources support. A fact or stance is judged against the quotes it cites; the headline and a
    summary sentence against the article sentences closest to it. A 'Reports differ' line written by code is
    supported when every figure in it occurs in the articles."""
    pool = _sentences(articles)
    everything = [a.text for a in articles.values()]
    units: list[tuple[Statement, list[str]]] = []
    for s in brief_statements(brief):
        if s.id.startswith(("conflicts[", "timeline[")):
            continue  # conflict sides and timeline events are verbatim slices, checked by citation_validity
        if s.id.startswith(("headline", "summary")):
            ev = everything if CODE_LINE.match(s.text) else evidence_for(s.text, pool)
        else:
            ev = cited_sentences(_cited(brief, s.id), pool)
        units.append((s, ev))

    async def one(s: Statement, ev: list[str]) -> ItemVerdict:
        if CODE_LINE.match(s.text):
            sums = part_sums(pool)
            extra = [v for v in unsupported_numbers(s.text, ev) if v not in sums]
            verdict, by = ("miss" if extra else "hit"), "code"
            reason = f"figures in no article: {extra}" if extra else "its figures are in the articles"
        else:
            verdict, reason, by = await judge_support(s.text, ev, judge)
        return ItemVerdict(
            id=s.id,
            verdict=verdict,  # type: ignore[arg-type]
            reason=f"{reason} (by {by})",
            statement=s.text,
            where=s.id,
            claim=" | ".join(ev[:EVIDENCE_SENTENCES]) if ev is not everything else "all articles",
        )

    items = list(await asyncio.gather(*(one(s, ev) for s, ev in units)))
    return Score(value=_rate(items) if items else None, items=items)


def _cited(brief: Brief, where: str) -> list[Citation]:
    for f in brief.facts:
        if where == f"facts[{f.id}]":
            return f.citations
    for p in brief.positions:
        if where == f"positions[{p.party}]":
            return p.citations
    return []


async def summary_coverage(case: Case, brief: Brief, judge: ModelJudge) -> Score:
    """Weighted share of the case's core facts (weight 3) that the headline or summary states."""
    core = [f for f in case.facts if f.weight == 3]
    lead = [s for s in brief_statements(brief) if s.id.startswith(("headline", "summary"))]
    matches = await asyncio.gather(*(match_claim(f.claim, lead, judge, f.anchors) for f in core))
    items = [_claim_verdict(f.id, f.claim, m, f.anchors, weight=f.weight) for f, m in zip(core, matches, strict=True)]
    return Score(value=_rate(items) if items else None, items=items)


def headline_checks(headline: str, disputed: set[float]) -> list[tuple[str, str | None]]:
    """(check, problem or None) for one headline."""
    words = len(headline.split())
    shared = sorted(number_values(headline) & disputed)
    person = _PERSON.search(_QUOTED.sub(" ", headline))
    return [
        ("present", None if headline.strip() else "no headline"),
        ("complete", _incomplete(headline)),
        ("length", f"{words} words (at most {HEADLINE_WORDS})" if words > HEADLINE_WORDS else None),
        ("no-section-label", "starts with a section label" if _LABEL.search(headline) else None),
        ("no-byline", "carries a byline" if _BYLINE.search(headline) else None),
        ("no-disputed-figure", f"states a disputed figure ({', '.join(f'{v:g}' for v in shared)})" if shared else None),
        ("no-first-or-second-person", f"uses {person.group(0)!r}" if person else None),
    ]


def _incomplete(headline: str) -> str | None:
    if _ELLIPSIS.search(headline):
        return "ends in an ellipsis: a cut sentence"
    if _DANGLING_END.search(headline):
        return "ends on a word that needs more after it"
    if headline.count("“") != headline.count("”") or headline.count('"') % 2:
        return "an unclosed quotation"
    return None


def headline_quality(case: Case, brief: Brief) -> Score:
    """1 when the headline passes every check (complete, at most 14 words, no section label or byline, no
    figure that outlets dispute, no first or second person), else 0; one item per check, and who wrote it."""
    disputed = _disputed_figures(case, brief.conflicts)
    items = [
        ItemVerdict(id=name, verdict="miss" if problem else "hit", reason=problem or "ok", statement=brief.headline)
        for name, problem in headline_checks(brief.headline, disputed)
    ]
    value = 1.0 if all(i.verdict == "hit" for i in items) else 0.0
    by = brief.meta.provenance.get("headline")
    items.append(
        ItemVerdict(
            id="written-by",
            verdict="hit" if by == "model" else "miss" if by else "unscored",
            reason=f"written by {by}" if by else "meta has no provenance",
            weight=0,
        )
    )
    return Score(value=value, items=items)


def _disputed_figures(case: Case, conflicts: list[Conflict]) -> set[float]:
    """Figures given by one side of a disagreement and not by every side (brief's or labelled)."""
    sides = [[number_values(p.value) for p in c.positions] for c in conflicts]
    sides += [[number_values(claim.value) for claim in k.claims] for k in case.conflicts]
    out: set[float] = set()
    for values in sides:
        if not values or not all(values):
            continue  # a disagreement of accounts, not of figures: a figure it mentions is not disputed
        common = values[0].intersection(*values[1:])
        out |= set().union(*values) - common
    return out


def model_text_share(brief: Brief) -> Score:
    """Share of headline, summary sentences and fact statements the model wrote, from ``meta.provenance``
    (a verbatim source sentence or a code fallback does not count)."""
    prov = brief.meta.provenance
    if not prov:
        item = ItemVerdict(id="meta", verdict="unscored", reason="the brief's meta has no provenance")
        return Score(value=None, items=[item])
    items = [
        ItemVerdict(id=key, verdict="hit" if by == "model" else "miss", reason=f"written by {by}")
        for key, by in prov.items()
    ]
    return Score(value=_rate(items), items=items)


def false_conflicts(case: Case, brief: Brief) -> Score:
    """Conflicts in the brief that are not disagreements between outlets (hit = a false one): sides from one
    article, a topic a person would not write, or no labelled disagreement of the case matches it."""
    outlets = {a.id: a.outlet for a in case.articles}
    items = []
    for c in brief.conflicts:
        problem = _conflict_problem(c, case.conflicts, outlets)
        sides = "; ".join(f"{p.value} ({', '.join(p.article_ids)})" for p in c.positions)
        ok, where = "a labelled disagreement between outlets", f"conflicts[{c.id}]"
        items.append(ItemVerdict.of_problem(c.id, problem, ok, claim=c.topic, statement=sides, where=where))
    return Score(value=_count(items), items=items)


def _conflict_problem(c: Conflict, labelled: list[CaseConflict], outlets: dict[str, str]) -> str | None:
    ids = [a for p in c.positions for a in p.article_ids]
    if len(set(ids)) < 2 or len(ids) != len(set(ids)):
        return "sides from the same article: one outlet's figures for different things"
    topic = c.topic.strip()
    if len(re.findall(r"[A-Za-z]{3,}", topic)) < 2 or _TOPIC_NOISE.search(topic):
        return f"topic does not read: {topic!r}"
    if not labelled:
        return "the case labels no disagreement between its outlets"
    for k in labelled:
        shown = sum(
            any(claim.source in p.article_ids and shows_value(claim.value, f"{p.value} {p.claim}") for p in c.positions)
            for claim in k.claims
        )
        if shown >= 2:
            return None
    return "matches no labelled disagreement (different quantities, or not a disagreement)"
