"""The brief pipeline: ingest → segment → align → signals → LLM tasks → verify → render."""

from __future__ import annotations

import asyncio

from service.config import Settings
from service.llm import LLM
from service.pipeline.ingest import ingest
from service.pipeline.single import single_brief
from service.pipeline.staged import staged_brief
from service.schemas import Brief, BriefRequest

__all__ = ["build_brief"]


async def build_brief(
    request: BriefRequest, llm: LLM, settings: Settings, request_id: str | None = None
) -> Brief:
    """Validate and ingest the articles, then write the brief with the requested strategy."""
    articles = await asyncio.to_thread(ingest, request.articles, settings)  # HTML extraction is CPU work
    strategy = request.options.strategy or settings.strategy
    if strategy == "single":
        return await single_brief(articles, llm, length=request.options.length, request_id=request_id)
    return await staged_brief(
        articles,
        llm,
        length=request.options.length,
        concurrency=settings.llm_concurrency,
        request_id=request_id,
    )
