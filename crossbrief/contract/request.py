"""What a client sends: ``BriefRequest`` (the body of ``POST /v1/briefs``), its articles and options."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from crossbrief.contract._base import _Request, one_line
from crossbrief.contract.balance import Kind, Lean

__all__ = [
    "ArticleIn",
    "BriefOptions",
    "BriefRequest",
    "FUTURE_DAYS",
    "Length",
    "MAX_ARTICLES_ANY",
]

Length = Literal["short", "medium", "long"]

MAX_ARTICLES_ANY = 1000  # no server takes more articles (its own CROSSBRIEF_MAX_ARTICLES, default 50, is checked later)
FUTURE_DAYS = 2  # a publication date may be this many days after today (time zones, next-day editions, embargoes)


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
        name = one_line(value)
        if not name:
            raise ValueError("outlet is empty (only spaces or control characters)")
        return name

    @field_validator("title", "url")
    @classmethod
    def _single_line(cls, value: str | None) -> str | None:
        return one_line(value) or None if value is not None else None

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
    backend: str | None = Field(
        None,
        max_length=100,
        description="Backend override (only where the server allows overrides): a backend the server has; "
        "its OpenAPI document lists them.",
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
