"""Judges: does a brief state a claim? Code decides what it can (anchors, figures, near-exact wording);
a model answers yes/no for one claim against one candidate statement, the candidates chosen by
similarity. A model answer that cannot be used is ``unscored`` with a reason, never a hit or a miss."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from evals.cache import Cache, content_key
from evals.llms import LazyLLM
from service.errors import ModelRefused, OutputTruncated, SchemaValidationFailed, UpstreamError
from service.pipeline.meaning import meaning_differs
from service.pipeline.verify import normalise, number_values
from service.schemas import Brief
from service.text import content_words
from service.text.sentences import split as split_sentences

Verdict = Literal["hit", "miss", "unscored"]
Reply = Literal["yes", "no", "unscored"]

TOP_K = 3
MIN_SIMILARITY = 0.25  # share of a claim's content words a statement needs to be a candidate (no anchors)
MIN_SHARED = 2  # ... and at least this many of them
NEAR_EXACT = 95.0  # rapidfuzz ratio at or above which identical-looking wording is a yes without a model
JUDGE_MAX_TOKENS = 40
JUDGE_PROMPT = "v2"  # prompts/judge/<version>.yaml; see evals/README.md for each version's agreement
# Where a yes counts against the brief (a forbidden claim asserted), the stricter v1 prompt answers: on the
# calibration pairs it says a false yes 22 times to v2's 45 (both after code's meaning checks).
STRICT_PROMPT = "v1"
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|without|den(?:y|ies|ied))\b|n't\b", re.I)


class JudgeVerdict(BaseModel):
    """The judge model's reply about one claim and one statement."""

    answer: Literal["yes", "no"] = Field(..., description="yes: the statement states the claim.")
    reason: str = Field(..., description="Why, in two to five words.")


class JudgeReasoned(BaseModel):
    """The judge model's reply with the reason first (prompt v4): the answer is written after it."""

    reason: str = Field(..., description="What the statement says about the claim, in a few words.")
    answer: Literal["yes", "no"] = Field(..., description="yes: the statement states the claim.")


class JudgeRelation(BaseModel):
    """The judge model's reply in the decomposed form (prompt v3): which relation holds; only "same" is yes."""

    relation: Literal["roles", "figure", "certainty", "attribution", "topic", "same"] = Field(
        ..., description="same: the statement states the claim; anything else: how it differs."
    )
    reason: str = Field(..., description="Why, in two to five words.")


JUDGE_SCHEMAS: dict[str, type[JudgeVerdict] | type[JudgeRelation] | type[JudgeReasoned]] = {
    "v1": JudgeVerdict,
    "v2": JudgeVerdict,
    "v3": JudgeRelation,
    "v4": JudgeReasoned,
}


def _yes_no(value: JudgeVerdict | JudgeRelation | JudgeReasoned) -> tuple[Literal["yes", "no"], str]:
    if isinstance(value, JudgeRelation):
        reason = value.reason.strip()[:180]
        return ("yes" if value.relation == "same" else "no"), f"{value.relation}: {reason}"
    return value.answer, value.reason.strip()[:200]


@dataclass(frozen=True)
class Statement:
    """One sentence-sized unit of a brief that can state a claim."""

    id: str  # where it sits in the brief: "facts[f3]", "summary[1]", "positions[Hamas]" ...
    text: str
    article_ids: tuple[str, ...] = ()  # articles the brief cites for it


@dataclass
class PairJudgement:
    """Whether one statement states one claim, and who decided."""

    answer: Reply
    reason: str
    by: Literal["code", "model"]
    cached: bool = False


@dataclass
class Match:
    """The verdict for one claim against a whole brief: on a hit the statement that states it, otherwise
    the closest candidate the judge turned down (None when no statement was a candidate)."""

    verdict: Verdict
    reason: str
    statement: Statement | None = None
    candidates: list[dict[str, str]] = field(default_factory=list)


@dataclass
class JudgeStats:
    """What the model judge cost in one run."""

    calls: int = 0
    cached: int = 0
    by_code: int = 0
    unscored: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0


def sentences(text: str) -> list[str]:
    """``text`` split into sentences by pysbd, as the pipeline splits articles ("U.S." and "Jan. 6" stay whole)."""
    return split_sentences(text)


def brief_statements(brief: Brief) -> list[Statement]:
    """Every unit of a brief that can state a claim, cited ones first: facts, conflict sides, party stances,
    timeline events, headline, summary sentences (the quote list is left out: quoting is not stating)."""
    out = [Statement(f"facts[{f.id}]", f.statement, _ids(c.article_id for c in f.citations)) for f in brief.facts]
    for c in brief.conflicts:
        for i, side in enumerate(c.positions):
            out.append(Statement(f"conflicts[{c.id}].positions[{i}]", side.claim, tuple(side.article_ids)))
    for p in brief.positions:
        text = f"{p.party}: {p.stance}"
        out.append(Statement(f"positions[{p.party}]", text, _ids(x.article_id for x in p.citations)))
    for i, t in enumerate(brief.timeline):
        out.append(Statement(f"timeline[{i}]", f"{t.date}: {t.event}", _ids(c.article_id for c in t.citations)))
    out.append(Statement("headline", brief.headline))
    out += [Statement(f"summary[{i}]", s) for i, s in enumerate(sentences(brief.summary))]
    return [s for s in out if s.text.strip()]


def _ids(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def anchor_spans(text: str, anchors: Sequence[str]) -> list[tuple[int, int]] | None:
    """Spans where each anchor matches ``text``, or None when some anchor does not match."""
    spans = []
    for a in anchors:
        m = re.search(a, text, re.I)
        if m is None:
            return None
        spans.append(m.span())
    return spans


def similarity(claim: str, text: str) -> float:
    """Share of the claim's content words found in ``text`` (0..1)."""
    wanted = content_words(claim)
    return len(wanted & content_words(text)) / len(wanted) if wanted else 0.0


def highlight_spans(claim: str, text: str, anchors: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Spans of ``text`` to highlight: anchor matches, else words it shares with the claim."""
    spans = anchor_spans(text, anchors) if anchors else None
    if spans:
        return sorted(spans)
    wanted = content_words(claim)
    return [m.span() for m in re.finditer(r"[A-Za-z][A-Za-z'-]{2,}", text) if content_words(m.group()) & wanted]


def figure_mismatch(claim: str, text: str) -> str | None:
    """Why the figures rule the statement out (both give figures, none in common), or None."""
    a, b = number_values(claim), number_values(text)
    if a and b and not a & b:
        return f"figures differ: claim {_fmt(a)}, statement {_fmt(b)}"
    return None


def near_exact(claim: str, text: str) -> bool:
    """Same wording up to case, punctuation and a few characters, same figures and negations."""
    x, y = normalise(claim).lower().strip(" ."), normalise(text).lower().strip(" .")
    return (
        fuzz.ratio(x, y) >= NEAR_EXACT
        and number_values(x) == number_values(y)
        and sorted(_NEGATION.findall(x)) == sorted(_NEGATION.findall(y))
    )


def _fmt(values: set[float]) -> str:
    return ", ".join(f"{v:g}" for v in sorted(values))


def _data(text: str) -> str:
    # Statements come from model output: keep them from closing our delimiters.
    return normalise(text).replace("<", "‹").replace(">", "›")


class ModelJudge:
    """Decides whether a statement states a claim: code first, then the model (cached)."""

    def __init__(
        self,
        llm: LazyLLM,
        cache: Cache,
        *,
        concurrency: int = 2,
        max_tokens: int = JUDGE_MAX_TOKENS,
        prompt: str = JUDGE_PROMPT,
        rules: bool = True,
    ):
        self.llm = llm
        self.cache = cache
        self.max_tokens = max_tokens
        self.prompt = prompt
        self.rules = rules  # code's meaning checks (evals.meaning) before the model
        self.stats = JudgeStats()
        self._sem = asyncio.Semaphore(concurrency)

    def key(self, claim: str, statement: str, prompt: str | None = None) -> str:
        """Cache key of one model question."""
        digest = self.llm.prompt_digest("judge", prompt or self.prompt)
        return content_key("judge", self.llm.identity, digest, claim, statement)

    async def judge(
        self, claim: str, statement: str, *, strict: bool = False, rules: bool | None = None
    ) -> PairJudgement:
        """yes/no/unscored for one claim and one statement."""
        mismatch = figure_mismatch(claim, statement)
        if mismatch:
            self.stats.by_code += 1
            return PairJudgement("no", mismatch, "code")
        if near_exact(claim, statement):
            self.stats.by_code += 1
            return PairJudgement("yes", "same wording as the claim", "code")
        differs = meaning_differs(claim, statement) if (self.rules if rules is None else rules) else None
        if differs:
            self.stats.by_code += 1
            return PairJudgement("no", differs, "code")
        return await self.ask_model(claim, statement, STRICT_PROMPT if strict else None)

    async def ask_model(self, claim: str, statement: str, prompt: str | None = None) -> PairJudgement:
        """Ask the model (or the cache). Unusable replies come back as ``unscored`` with the reason."""
        prompt = prompt or self.prompt
        key = self.key(claim, statement, prompt)
        hit = self.cache.get("judge", key)
        if hit is not None:
            self.stats.cached += 1
            if hit["answer"] == "unscored":
                self.stats.unscored += 1
            return PairJudgement(hit["answer"], hit["reason"], "model", cached=True)
        async with self._sem:
            llm = await self.llm.get()
            started = time.perf_counter()
            try:
                answer = await llm.ask(
                    "judge",
                    {"claim": _data(claim), "statement": _data(statement)},
                    JUDGE_SCHEMAS.get(prompt, JudgeVerdict),
                    version=prompt,
                    max_tokens=self.max_tokens,
                )
            except (OutputTruncated, SchemaValidationFailed, ModelRefused) as e:
                self.stats.calls += 1
                self.stats.unscored += 1
                self.stats.seconds += time.perf_counter() - started
                result = PairJudgement("unscored", f"judge reply unusable ({e.code}): {e.message[:160]}", "model")
                self.cache.put("judge", key, {"answer": result.answer, "reason": result.reason})
                return result
            except UpstreamError as e:  # timeouts, connection errors: not a model answer, not cached
                self.stats.calls += 1
                self.stats.unscored += 1
                return PairJudgement("unscored", f"judge call failed ({e.code}): {e.message[:160]}", "model")
        self.stats.calls += 1
        self.stats.tokens_in += answer.call.tokens_in
        self.stats.tokens_out += answer.call.tokens_out
        self.stats.seconds += answer.call.seconds
        result = PairJudgement(*_yes_no(answer.value), "model")
        self.cache.put("judge", key, {"answer": result.answer, "reason": result.reason})
        return result


def candidates(claim: str, statements: Sequence[Statement], anchors: Sequence[str] = ()) -> list[Statement]:
    """The statements worth asking about, best first: those matching every anchor (or, without
    anchors, sharing at least two and a quarter of the claim's content words), top ``TOP_K`` by similarity."""
    if anchors:
        pool = [s for s in statements if anchor_spans(s.text, anchors) is not None]
    else:
        wanted = content_words(claim)
        need = min(MIN_SHARED, len(wanted))
        pool = [
            s
            for s in statements
            if len(wanted & content_words(s.text)) >= need and similarity(claim, s.text) >= MIN_SIMILARITY
        ]
    pool.sort(key=lambda s: (similarity(claim, s.text), fuzz.token_set_ratio(claim, s.text)), reverse=True)
    return pool[:TOP_K]


async def match_claim(
    claim: str, statements: Sequence[Statement], judge: ModelJudge, anchors: Sequence[str] = (), strict: bool = False
) -> Match:
    """Whether some statement of the brief states ``claim``: hit (with the statement), miss or unscored."""
    pool = candidates(claim, statements, anchors)
    if not pool:
        why = f"no statement matches the anchors {list(anchors)}" if anchors else "no statement resembles it"
        return Match("miss", why)
    asked: list[dict[str, str]] = []
    for s in pool:
        j = await judge.judge(claim, s.text, strict=strict)
        asked.append({"statement": s.id, "answer": j.answer, "reason": j.reason, "by": j.by})
        if j.answer == "yes":
            return Match("hit", f"{s.id}: {j.reason}", s, asked)
    return _no_hit(pool, asked)


def _no_hit(pool: Sequence[Statement], asked: list[dict[str, str]]) -> Match:
    """The verdict when no candidate was a yes: unscored when the judge could not answer about one, else a miss
    that names the closest candidate and why the judge said no."""
    unscored = [f"{a['statement']}: {a['reason']}" for a in asked if a["answer"] == "unscored"]
    if unscored:
        return Match("unscored", "; ".join(unscored), pool[0], asked)
    reason = f"judge said no to {len(pool)} candidate(s); closest {pool[0].id}: {asked[0]['reason']}"
    return Match("miss", reason, pool[0], asked)


def nearest_fact(claim: str, facts: Sequence[tuple[str, str, Sequence[str]]]) -> tuple[str, str, Sequence[str]] | None:
    """Of the case's true facts ``(id, claim, anchors)``, the one a forbidden claim is closest to by the judge's
    own candidate rule (:func:`candidates` without anchors): the fact it distorts. None when no fact is that
    close."""
    best = candidates(claim, [Statement(f[0], f[1]) for f in facts])
    return next((f for f in facts if best and f[0] == best[0].id), None)


async def match_forbidden(
    claim: str, statements: Sequence[Statement], judge: ModelJudge, true: tuple[str, str, Sequence[str]] | None
) -> Match:
    """Whether some statement asserts a forbidden claim, with the strict judge. A forbidden claim is written
    as a distortion of one of the case's true facts (``true``, from :func:`nearest_fact`: who did what turned
    round, a hedge dropped, a report stated as done), so a statement the judge also reads as stating that true
    fact is not counted: it cannot say both, and the small judge's yes to the distortion is the misreading
    ("17 Republicans joining all 50 Senate Democrats" read as "Seventeen Democrats joined 50 Republicans"). Only
    where the judge tells the two apart: when it reads the forbidden claim itself as stating the true fact, its
    yes to the true fact says nothing and the strict yes stands (on the real suites, 11 of the 63 forbidden
    claims with a near fact whose anchors they match)."""
    pool = candidates(claim, statements)
    if not pool:
        return Match("miss", "no statement resembles it")
    asked: list[dict[str, str]] = []
    cleared: list[str] = []
    for s in pool:
        j = await judge.judge(claim, s.text, strict=True)
        asked.append({"statement": s.id, "answer": j.answer, "reason": j.reason, "by": j.by})
        if j.answer != "yes":
            continue
        if true is not None and anchor_spans(s.text, true[2]) is not None:
            if (await judge.judge(true[1], claim, strict=True)).answer != "no":  # cannot tell them apart
                return Match("hit", f"{s.id}: {j.reason} (the judge reads the claim as {true[0]} too)", s, asked)
            t = await judge.judge(true[1], s.text, strict=True)
            asked.append({"statement": s.id, "fact": true[0], "answer": t.answer, "reason": t.reason, "by": t.by})
            if t.answer == "yes":
                cleared.append(f"{s.id} states the true fact {true[0]} instead ({t.reason})")
                continue
        return Match("hit", f"{s.id}: {j.reason}", s, asked)
    if cleared:
        return Match("miss", "; ".join(cleared), pool[0], asked)
    return _no_hit(pool, asked)
