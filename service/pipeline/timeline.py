"""Timeline by code: facts whose sentences carry a date, resolved against the publication date."""

from __future__ import annotations

import re

from service.pipeline.types import Article
from service.schemas import Fact, TimelineEntry
from service.text import find_date


def timeline(facts: list[Fact], articles: dict[str, Article]) -> list[TimelineEntry]:
    """Dated facts, earliest first (undated expressions last, in fact order)."""
    entries = []
    for f in facts:
        for c in f.citations:
            date = find_date(c.quote, articles[c.article_id].published)
            if date:
                entries.append(TimelineEntry(date=date, event=f.statement, citations=f.citations))
                break
    return sorted(entries, key=lambda e: (not re.match(r"\d{4}-\d{2}-\d{2}$", e.date), e.date))
