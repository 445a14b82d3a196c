"""The two steps every job runs, wherever it runs (API process or queue worker): read the articles, write the brief."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from service.config import Settings
from service.errors import InputError
from service.jobs.execute import Reader, Runner
from service.llm import LLMProvider
from service.observability import estimate_cost
from service.pipeline import read_articles, write_brief
from service.pipeline.types import Article
from service.schemas import Brief, BriefRequest


def make_reader(settings: Settings) -> Reader:
    """Validate and ingest a request's articles; refuses backend/model overrides the server does not allow."""

    async def reader(body: BriefRequest) -> list[Article]:
        opts = body.options
        if (opts.backend or opts.model) and not settings.allow_overrides:
            field = "backend" if opts.backend else "model"
            raise InputError("this server does not allow backend/model overrides", field=f"options.{field}")
        return await read_articles(body, settings)

    return reader


def make_runner(
    settings: Settings, provider: LLMProvider, ready: Callable[[], Awaitable[None]] | None = None
) -> Runner:
    """Write a brief with the provider's model; ``ready`` waits for the default model to finish loading."""

    async def runner(articles: list[Article], body: BriefRequest, request_id: str | None) -> Brief:
        opts = body.options
        if ready is not None and not (opts.backend or opts.model):
            await ready()
        llm = await asyncio.to_thread(provider.get, opts.backend, opts.model)
        brief = await write_brief(articles, body, llm, settings, request_id=request_id)
        meta = brief.meta
        meta.cost_usd = estimate_cost(settings, meta.model, meta.tokens_in, meta.tokens_out, backend=meta.backend)
        return brief

    return runner


def job_steps(
    settings: Settings, provider: LLMProvider, ready: Callable[[], Awaitable[None]] | None = None
) -> tuple[Reader, Runner]:
    """The reader and runner of every job in this process (a :data:`~service.jobs.execute.Steps`)."""
    return make_reader(settings), make_runner(settings, provider, ready)

