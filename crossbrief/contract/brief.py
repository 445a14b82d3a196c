"""What a client gets back: the ``Brief`` (every fact cited, every disagreement side by side) and its ``Meta``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from crossbrief.contract._base import _Model
from crossbrief.contract.balance import Balance, Kind, Lean

__all__ = [
    "ArticleRef",
    "Brief",
    "CheckVerdict",
    "Citation",
    "Conflict",
    "ConflictPosition",
    "Coverage",
    "Fact",
    "FactStatus",
    "Framing",
    "LLMCall",
    "Meta",
    "PartyPosition",
    "QuoteOut",
    "ScreenedSentence",
    "TimelineEntry",
]

FactStatus = Literal["corroborated", "single-source", "disputed"]


class Citation(_Model):
    """Where a statement comes from: a verbatim quote of the cited article."""

    article_id: str
    quote: str = Field(..., description="Verbatim text of the article (verified to occur in it).")
    start: int = Field(..., description="Character offset of the quote in the article's text.")
    end: int = Field(..., description="Offset one past the quote's last character.")


class Fact(_Model):
    """One thing the articles state, written neutrally, with every article that states it."""

    id: str
    statement: str
    status: FactStatus = Field(..., description="Computed from the citations and conflicts, never by the model.")
    sources: int = Field(..., description="Number of distinct articles that state it.")
    independent_sources: int | None = Field(
        None,
        description="Of those, the articles that count as independent reporting (not opinion pieces or press "
        "releases); 'corroborated' needs two. Null in briefs made before it was recorded.",
    )
    citations: list[Citation]


class ConflictPosition(_Model):
    """One side of a disagreement: what some outlets say."""

    article_ids: list[str]
    value: str = Field(..., description="The figure or claim that differs, as printed.")
    claim: str = Field(..., description="The sentence that states it.")
    quote: str = Field(..., description="Verbatim text from the first listed article.")


class Conflict(_Model):
    """A quantity or claim the outlets disagree on, every side shown."""

    id: str
    topic: str
    positions: list[ConflictPosition]


class PartyPosition(_Model):
    """What one party to the event wants or says, as the articles report it."""

    party: str
    stance: str
    citations: list[Citation]


class QuoteOut(_Model):
    """A direct quotation found in an article."""

    speaker: str | None = Field(None, description="Who said it, when the article says so.")
    text: str
    article_id: str
    start: int
    end: int


class Framing(_Model):
    """How one outlet frames the event."""

    article_id: str
    outlet: str
    naming: list[str] = Field(..., description="How it names the actors (terms it uses that others do not).")
    stresses: list[str] = Field(..., description="Facts only this outlet reports.")
    omits: list[str] = Field(..., description="Facts most other outlets report and this one leaves out.")


class TimelineEntry(_Model):
    """A dated event."""

    date: str = Field(..., description="ISO date when it can be resolved, else the expression as written.")
    event: str
    citations: list[Citation]


class Coverage(_Model):
    """What one article contributes."""

    article_id: str
    outlet: str
    facts: list[str] = Field(..., description="Ids of the facts this article supports.")
    single_source_facts: list[str] = Field(..., description="Ids of facts only this article supports.")


class ArticleRef(_Model):
    """An input article as the brief refers to it."""

    id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    chars: int
    lean: Lean = "unknown"
    lean_source: str | None = Field(
        None, description="Who says so: 'caller', or the outlet table's id (e.g. 'allsides-2021'); null when unknown."
    )
    kind: Kind = "unknown"
    kind_source: str | None = Field(None, description="Who says so: 'caller', or the outlet table's note.")
    country: str | None = None


class LLMCall(_Model):
    """One model call: what was asked and what it cost."""

    task: str
    prompt_version: str
    backend: str | None = Field(None, description="The backend that answered (local, openai, openai-compatible).")
    model: str
    fallback: str | None = Field(
        None, description="Why the primary backend did not answer, when the fallback backend answered instead."
    )
    tokens_in: int
    tokens_out: int
    seconds: float
    attempts: int


class CheckVerdict(_Model):
    """The meaning check of one sentence the model wrote: is it supported by the sentences it rests on?"""

    item: str = Field(..., description="What was checked: 'headline', 'summary[i]', 'facts[<group>]', a stance.")
    text: str = Field(..., description="The sentence as the model wrote it.")
    supported: bool
    by: Literal["code", "model"] = Field(..., description="Who decided: code's exact checks or the model's yes/no.")
    reason: str


class ScreenedSentence(_Model):
    """An article sentence left out of the brief because it reads as an instruction to whoever writes the
    summary (a planted line), not as news: shown to editors, never stated, quoted or cited in the brief."""

    article_id: str
    start: int = Field(..., ge=0, description="Character offset in the article's text.")
    end: int = Field(..., ge=0)
    text: str = Field(..., description="The sentence as the article has it.")
    reason: str = Field(..., description="Why: the kind the pattern screen found, or the model's check.")
    by: Literal["code", "model"] = Field(..., description="Who decided: the pattern screen or the model's yes/no.")


class Meta(_Model):
    """How the brief was made."""

    request_id: str | None = None
    backend: str
    model: str
    strategy: str
    prompt_versions: dict[str, str]
    tokens_in: int
    tokens_out: int
    seconds: float
    stage_seconds: dict[str, float]
    llm_calls: list[LLMCall]
    warnings: list[str]
    provenance: dict[str, Literal["model", "source", "code"]] = Field(
        default_factory=dict,
        description="Who wrote each part of the brief's own text: keys 'headline', 'summary[i]' (i-th sentence as "
        "written) and 'facts[<id>]'; 'model' (the LLM), 'source' (an article's sentence, verbatim) or 'code' "
        "(composed by code, e.g. a fallback or a 'Reports differ' line).",
    )
    checks: list[CheckVerdict] = Field(
        default_factory=list,
        description="Every meaning check of model-written text, in order: an audit trail of what was kept and why.",
    )
    screened: list[ScreenedSentence] = Field(
        default_factory=list,
        description="Article sentences left out as instructions to a model (planted lines), with the reason.",
    )
    cost_usd: float | None = Field(
        None, description="Estimated USD of the tokens at the server's model prices; null when the model has none."
    )


class Brief(_Model):
    """A neutral multi-source brief: every fact cited, every disagreement shown side by side."""

    headline: str
    summary: str
    facts: list[Fact]
    conflicts: list[Conflict]
    positions: list[PartyPosition]
    quotes: list[QuoteOut]
    framing: list[Framing]
    timeline: list[TimelineEntry]
    open_questions: list[str]
    coverage: list[Coverage]
    articles: list[ArticleRef]
    balance: Balance | None = Field(
        None, description="Coverage balance by outlet lean and kind (null in briefs made before it was computed)."
    )
    meta: Meta
