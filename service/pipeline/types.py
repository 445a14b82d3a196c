"""Internal values passed between pipeline stages (not part of the public contract)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """An ingested article: normalised plain text that every offset and quote refers to."""

    id: str
    outlet: str
    text: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    lean: str = "unknown"  # left, lean-left, center, lean-right, right, unknown
    lean_source: str | None = None  # "caller", or the outlet table's id
    kind: str = "unknown"  # news, opinion, wire, press-release, state-media, unknown
    kind_source: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Sentence:
    """One sentence of one article, with its character span in ``Article.text``."""

    id: str  # "<article_id>#<index>"
    article_id: str
    index: int  # position in the article, 0 = lead
    text: str  # == article.text[start:end]
    start: int
    end: int


@dataclass(frozen=True)
class NumberMention:
    """A figure found in a sentence, with the words that say what it counts."""

    sentence_id: str
    article_id: str
    raw: str  # as printed: "19,667", "almost 19,500", "40"
    value: float  # 19667.0
    qualifier: str | None  # "at least", "almost", "more than", ... or None
    counted: str  # what it counts, lower-case head words: "people killed", "hostages"
    start: int  # offsets of ``raw`` in the article text
    end: int


@dataclass(frozen=True)
class QuoteMention:
    """A direct quotation, with its speaker when the sentence names one."""

    article_id: str
    sentence_id: str
    text: str  # inside the quote marks
    speaker: str | None
    start: int  # offsets of ``text`` in the article text
    end: int


@dataclass
class FactGroup:
    """Sentences from different articles that state the same thing."""

    id: str
    sentences: list[Sentence]
    score: float = 0.0  # importance used to select facts

    @property
    def article_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.sentences:
            seen.setdefault(s.article_id, None)
        return list(seen)


@dataclass
class ConflictCandidate:
    """Figures for what looks like the same quantity that differ between articles."""

    id: str
    mentions: list[NumberMention] = field(default_factory=list)
