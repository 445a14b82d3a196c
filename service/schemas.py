"""The public contract: what a client sends (``BriefRequest``) and what it gets back (``Brief``)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.schemas_balance import Balance, FactBalance, Kind, Lean, Side, SideFraming

__all__ = ["Balance", "FactBalance", "Kind", "Lean", "Side", "SideFraming"]  # re-exported with the models below

FactStatus = Literal["corroborated", "single-source", "disputed"]
Length = Literal["short", "medium", "long"]


MAX_ARTICLES_ANY = 1000  # no server takes more articles (its own CROSSBRIEF_MAX_ARTICLES, default 50, is checked later)
FUTURE_DAYS = 2  # a publication date may be this many days after today (time zones, next-day editions, embargoes)
MAX_UNKNOWN_FIELDS = 10  # unknown fields named one by one; more are refused in one error
_SPACES = re.compile(r"\s+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Request(_Model):
    """A part of a request: many unknown fields are refused in one error, not one error each (a 10 MB body of
    unknown keys would otherwise make a million errors and take a gigabyte to report)."""

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_FIELDS:
            known = cls.model_fields.keys() & data.keys()
            some = [str(k)[:40] for k in itertools.islice((k for k in data if k not in known), 3)]
            raise ValueError(
                f"{len(data) - len(known)} unknown fields (e.g. {', '.join(some)}); "
                f"allowed: {', '.join(cls.model_fields)}"
            )
        return data


def _one_line(value: str) -> str:
    """A name or headline as one line: control and invisible format characters removed, whitespace collapsed."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in value if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return _SPACES.sub(" ", kept).strip()


# ---------------------------------------------------------------- request


class ArticleIn(_Request):
    """One article as a client sends it: plain text or HTML, with its outlet."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # exactly one of text / html, as _one_body checks
            "oneOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {"required": ["html"], "properties": {"html": {"type": "string"}}},
            ]
        },
    )

    id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Id unique in the request (letters, digits, . _ -); made from the outlet when absent.",
    )
    outlet: str = Field(..., min_length=1, max_length=200, description="Publishing outlet, e.g. 'Al Jazeera'.")
    title: str | None = Field(None, max_length=1000, description="Headline as published.")
    url: str | None = Field(None, max_length=2000, description="Where the article was published.")
    published: dt.date | None = Field(None, description="Publication date (ISO 8601).")
    text: str | None = Field(None, description="Article body as plain text.")
    html: str | None = Field(None, description="Article page as HTML; boilerplate is stripped.")
    lean: Lean | None = Field(
        None,
        description="The outlet's political leaning. When absent, crossbrief's outlet table (AllSides ratings) "
        "fills it for outlets it knows; 'unknown' says it is not known and keeps the table out.",
    )
    kind: Kind | None = Field(
        None,
        description="What the article is: news, opinion, wire, press-release, state-media. Opinion pieces and "
        "press releases never count as independent corroboration.",
    )
    country: str | None = Field(
        None, min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="Outlet's country (ISO 3166-1 alpha-2)."
    )

    @field_validator("country")
    @classmethod
    def _country_upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("outlet")
    @classmethod
    def _outlet_is_a_name(cls, value: str) -> str:
        name = _one_line(value)
        if not name:
            raise ValueError("outlet is empty (only spaces or control characters)")
        return name

    @field_validator("title", "url")
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        return _one_line(value) or None if value is not None else None

    @field_validator("published", mode="before")
    @classmethod
    def _date_of_timestamp(cls, value: Any) -> Any:
        """A full ISO timestamp (``2026-03-02T14:35:00+01:00``, as CMS exports send) counts as its date."""
        if isinstance(value, str) and len(value) > 10 and value[10:11] in ("T", "t", " "):
            try:
                return dt.datetime.fromisoformat(value).date()
            except ValueError:
                return value  # the date validator names the problem
        return value

    @field_validator("published")
    @classmethod
    def _not_in_the_future(cls, value: dt.date | None) -> dt.date | None:
        latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=FUTURE_DAYS)
        if value is not None and value > latest:
            raise ValueError(f"publication date {value.isoformat()} is in the future (latest accepted: {latest})")
        return value

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' or 'html'")
        body = self.text if self.text is not None else self.html
        if not body or not body.strip():
            raise ValueError("article body is empty")
        return self


class BriefOptions(_Request):
    """How to write the brief."""

    strategy: Literal["staged", "single"] | None = Field(
        None,
        description="staged: code aligns and verifies, the LLM writes small parts (default). "
        "single: one structured prompt for the whole brief, for strong models.",
    )
    length: Length = Field("medium", description="How many facts the brief keeps (short 8, medium 14, long 24).")
    backend: Literal["local", "openai", "openai-compatible"] | None = Field(
        None, description="Backend override (only where the server allows overrides)."
    )
    model: str | None = Field(None, max_length=500, description="Model override (only where allowed).")


class BriefRequest(_Request):
    """Body of ``POST /v1/briefs``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "articles": [
                        {
                            "id": "one",
                            "outlet": "Velmora Daily",
                            "published": "2026-03-02",
                            "text": "The Velmora harbour bridge will close for repairs on 3 March, the council "
                            "said on Monday. Engineers found cracks in two of its 14 steel cables.",
                        },
                        {
                            "outlet": "Harbour Post",
                            "url": "https://example.org/bridge",
                            "html": "<html><body><p>Velmora's harbour bridge is to shut on 3 March after "
                            "inspectors discovered cracked cables, officials announced.</p></body></html>",
                        },
                    ],
                    "options": {"strategy": "staged", "length": "short"},
                }
            ]
        },
    )

    articles: list[ArticleIn] = Field(
        ...,
        min_length=2,
        max_length=MAX_ARTICLES_ANY,
        description="2 or more articles about one event (at most the server's max_articles, default 50).",
    )
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


# ---------------------------------------------------------------- errors


class ErrorInfo(BaseModel):
    """What went wrong, typed: ``code`` is stable (``not_found``, ``payload_too_large``, ``rate_limited``,
    ``unauthorized``, ``upstream_timeout`` …), ``message`` is for people."""

    code: str
    message: str
    request_id: str | None = Field(None, description="The request's X-Request-ID (quote it when reporting).")
    backend: str | None = Field(None, description="Upstream errors: the model backend that failed.")
    upstream_status: int | None = Field(None, description="Upstream errors: the backend's HTTP status.")
    upstream_request_id: str | None = Field(None, description="Upstream errors: the backend's request id.")


class ErrorResponse(BaseModel):
    """Body of every error answer except invalid input."""

    error: ErrorInfo


class FieldError(BaseModel):
    """One invalid part of a request."""

    loc: list[str | int] = Field(..., description="Where: e.g. ['body', 'articles', 0, 'text'] or ['query', 'limit'].")
    msg: str = Field(..., description="What is wrong, for people.")
    type: str = Field(..., description="A stable error type, e.g. 'missing', 'string_too_long', 'json_invalid'.")
    input: Any = Field(None, description="The value given, when short and scalar.")
    ctx: dict[str, Any] | None = Field(None, description="Details of the rule, e.g. {'max_length': 200}.")


class InvalidRequestResponse(BaseModel):
    """Body of a 422 (invalid input) or 415 (body not sent as JSON): every bad field, at most 20."""

    detail: list[FieldError]
    request_id: str | None = None
