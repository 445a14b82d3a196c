"""The public contract: what a client sends (``BriefRequest``) and what it gets back (``Brief``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FactStatus = Literal["corroborated", "single-source", "disputed"]
Length = Literal["short", "medium", "long"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- request


class ArticleIn(_Model):
    """One article as a client sends it: plain text or HTML, with its outlet."""

    id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Id unique in the request (letters, digits, . _ -); made from the outlet when absent.",
    )
    outlet: str = Field(
        ..., min_length=1, max_length=200, description="Publishing outlet, e.g. 'Al Jazeera'."
    )
    title: str | None = Field(None, max_length=1000, description="Headline as published.")
    url: str | None = Field(None, max_length=2000, description="Where the article was published.")
    published: dt.date | None = Field(None, description="Publication date (ISO 8601).")
    text: str | None = Field(None, description="Article body as plain text.")
    html: str | None = Field(None, description="Article page as HTML; boilerplate is stripped.")

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' or 'html'")
        body = self.text if self.text is not None else self.html
        if not body or not body.strip():
            raise ValueError("article body is empty")
        return self


class BriefOptions(_Model):
    """How to write the brief."""

    strategy: Literal["staged", "single"] | None = Field(
        None,
        description="staged: code aligns and verifies, the LLM writes small parts (default). "
        "single: one structured prompt for the whole brief, for strong models.",
    )
    length: Length = Field(
        "medium", description="How many facts the brief keeps (short 8, medium 14, long 24)."
    )
    backend: Literal["local", "openai", "openai-compatible"] | None = Field(
        None, description="Backend override (only where the server allows overrides)."
    )
    model: str | None = Field(None, max_length=500, description="Model override (only where allowed).")


class BriefRequest(_Model):
    """Body of ``POST /v1/briefs``."""

    articles: list[ArticleIn] = Field(..., description="2 or more articles about one event.")
    options: BriefOptions = Field(default_factory=BriefOptions)


# ---------------------------------------------------------------- brief


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
    status: FactStatus = Field(
        ..., description="Computed from the citations and conflicts, never by the model."
    )
    sources: int = Field(..., description="Number of distinct articles that state it.")
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


class LLMCall(_Model):
    """One model call: what was asked and what it cost."""

    task: str
    prompt_version: str
    model: str
    tokens_in: int
    tokens_out: int
    seconds: float
    attempts: int


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
    meta: Meta
