"""Timeline by code: facts whose sentences carry a date, resolved against the publication date."""

from __future__ import annotations

import datetime as dt
import re

from service.pipeline.types import Article
from service.schemas import Fact, TimelineEntry

_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        "January February March April May June July August September October November December".split(),
        start=1,
    )
}
_MON = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(
    rf"\b(?:{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?|(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}"
    rf"(?:,?\s+(\d{{4}}))?|(\d{{4}})-(\d{{2}})-(\d{{2}}))\b"
)


def find_date(text: str, published: dt.date | None) -> str | None:
    """The first date in ``text`` as ISO (year from the text, else the publication's), or as written."""
    m = _DATE.search(text)
    if not m:
        return None
    g = m.groups()
    try:
        if g[6]:
            return dt.date(int(g[6]), int(g[7]), int(g[8])).isoformat()
        month, day, year = (g[0], g[1], g[2]) if g[0] else (g[4], g[3], g[5])
        year_n = int(year) if year else (published.year if published else None)
        if year_n is None:
            return m.group(0)
        return dt.date(year_n, _MONTHS[month.lower()], int(day)).isoformat()
    except ValueError:
        return None


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
