"""Framing by code: how each outlet names the actors, what only it reports, what it leaves out."""

from __future__ import annotations

import re

from service.pipeline.types import Article
from service.schemas import Fact, Framing
from service.text.lexicons import terms

# Words that carry a judgement or name a side; an outlet using one that most others avoid is framing.
NAMING_TERMS = terms("naming_terms")


def terms_in(text: str, terms: tuple[str, ...] = NAMING_TERMS) -> set[str]:
    """Which naming terms occur in ``text`` (case-insensitive, whole words)."""
    return {t.lower() for t in terms if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text, re.I)}


def framing(articles: list[Article], facts: list[Fact], limit: int = 3) -> list[Framing]:
    """One framing note per article."""
    used = {a.id: terms_in(a.text) for a in articles}
    n = len(articles)
    notes = []
    for a in articles:
        others = [used[o.id] for o in articles if o.id != a.id]
        distinctive = sorted(t for t in used[a.id] if sum(t in o for o in others) < max(1, (n - 1) / 2))
        mine = [f for f in facts if any(c.article_id == a.id for c in f.citations)]
        stresses = [f.statement for f in mine if f.sources == 1][:limit]
        broad = max(2, (n + 1) // 2)
        omits = [
            f.statement
            for f in facts
            if f.sources >= broad and not any(c.article_id == a.id for c in f.citations)
        ][:limit]
        notes.append(
            Framing(article_id=a.id, outlet=a.outlet, naming=distinctive, stresses=stresses, omits=omits)
        )
    return notes
