"""Seed articles as ``Article`` objects and their sentences, for the figure, quote and conflict tests."""

from __future__ import annotations

from functools import cache

from service.pipeline.ingest import normalise_text
from service.pipeline.segment import segment
from service.pipeline.types import Article, Sentence
from tests.conftest import SEEDS


def article(body: str, aid: str = "a") -> Article:
    return Article(id=aid, outlet=aid, text=normalise_text(body))


@cache
def seeds() -> tuple[list[Article], list[Sentence]]:
    arts = [article(p.read_text(encoding="utf-8"), p.stem) for p in sorted(SEEDS.glob("*.txt"))]
    return arts, [s for a in arts for s in segment(a)]
