"""The brief pipeline: ingest → segment → align → signals → LLM tasks → verify → render."""

from __future__ import annotations

import asyncio

from service.config import Settings
from service.llm import LLM
from service.pipeline.ingest import ingest
from service.pipeline.single import single_brief
from service.pipeline.staged import staged_brief
from service.pipeline.types import Article
from service.progress import emit
from service.schemas import Brief, BriefRequest

__all__ = ["build_brief", "read_articles", "write_brief"]


async def read_articles(request: BriefRequest, settings: Settings) -> list[Article]:
    """Validate and ingest the articles (raises ``InputError`` naming the bad field). HTML extraction is CPU
    work, so it runs in a thread."""
    emit("stage", stage="ingest", state="started")
    articles = await asyncio.to_thread(ingest, request.articles, settings)
    emit("stage", stage="ingest", state="finished")
    return articles


async def write_brief(
    articles: list[Article], request: BriefRequest, llm: LLM, settings: Settings, request_id: str | None = None
) -> Brief:
    """Write the brief of ingested articles with the requested strategy."""
    strategy = request.options.strategy or settings.strategy
    if strategy == "single":
        return await single_brief(
            articles, llm, length=request.options.length, request_id=request_id, screen_by=settings.screen_by
        )
    return await staged_brief(
        articles,
        llm,
        length=request.options.length,
        concurrency=settings.llm_concurrency,
        rewrites=settings.staged_rewrites,
        positions_by=settings.staged_positions,
        screen_by=settings.screen_by,
        request_id=request_id,
    )


async def build_brief(
    request: BriefRequest, llm: LLM, settings: Settings, request_id: str | None = None
) -> Brief:
    """Validate and ingest the articles, then write the brief."""
    articles = await read_articles(request, settings)
    return await write_brief(articles, request, llm, settings, request_id=request_id)
