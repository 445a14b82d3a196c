"""Dates: month and weekday names, and the first date a sentence gives."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = (
    "January February March April May June July August September October November December".split()
)
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
CALENDAR = frozenset(WEEKDAYS + MONTHS)  # capitalised words that are no name
MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS, start=1)}
# month names and their abbreviations, lower case ("may" included: a day next to it is a date)
MONTH_WORDS = frozenset([*MONTH_NUMBER, *"jan feb mar apr jun jul aug sep sept oct nov dec".split()])

_MON = "(" + "|".join(MONTHS) + ")"
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
        return dt.date(year_n, MONTH_NUMBER[month.lower()], int(day)).isoformat()
    except ValueError:
        return None
