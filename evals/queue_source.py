"""Briefs for an eval run from the job queue (`crossbrief eval run --workers queue`): every case becomes a job on
the shared Redis queue, `crossbrief worker`s write the briefs, results come back through the shared database."""

from __future__ import annotations

import time
import uuid

from service.briefing import make_reader
from service.config import Settings
from service.errors import CrossbriefError, ModelNotReady
from service.jobs.queued import QueuedJobManager
from service.pipeline.types import Article
from service.schemas import Brief, BriefRequest
from service.storage import Store


class QueueSource:
    """Submits brief requests to the queue and waits for the workers' briefs."""

    def __init__(self, settings: Settings) -> None:
        if not settings.redis_url:
            raise CrossbriefError("--workers queue needs a Redis queue: set REDIS_URL (or CROSSBRIEF_REDIS_URL)")
        self.store = Store(settings.database_url)
        self.store.upgrade()

        async def no_local_runner(articles: list[Article], request: BriefRequest, request_id: str | None) -> Brief:
            raise ModelNotReady("queued briefs are written by `crossbrief worker`, not by the eval process")

        self.jobs = QueuedJobManager(self.store, settings, make_reader(settings), no_local_runner)

    async def brief(self, request: BriefRequest) -> tuple[Brief | None, str | None, float]:
        """(brief, problem, seconds) for one request, as a worker wrote it."""
        started = time.perf_counter()
        try:
            row = await self.jobs.submit(request, mode="async", request_id=f"eval-{uuid.uuid4().hex[:12]}")
            if not row.cache_hit:
                row = await self.jobs.wait(row.id)
        except CrossbriefError as e:
            return None, f"queued job failed ({e.code}): {e.message}", time.perf_counter() - started
        return Brief.model_validate(row.brief), None, time.perf_counter() - started

    async def close(self) -> None:
        await self.jobs.stop()
        self.store.close()
